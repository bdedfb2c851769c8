import Foundation
import Glibc
import Synchronization

extension Paths {
    /// The shipped hooks, `hooks/` in the package.
    static let hooks = packageRoot + "/hooks"
}

/// A test network that needs something this machine lacks (root, a tool), or a step that failed.
struct TestNetworkError: Error, CustomStringConvertible {
    let description: String
}

/// Three machines on one Ethernet segment, each a network namespace of its own: the host under test,
/// a management host and an attacker, joined by a bridge in a fourth (switch) namespace.
///
///     host      198.51.100.1    2001:db8::1
///     admin     198.51.100.10   2001:db8::10
///     attacker  198.51.100.66   2001:db8::66
///
/// The addresses exist only inside these namespaces: nothing is configured in the root namespace
/// (the veth pairs are created inside the switch namespace). Namespace names carry this process's id
/// and a counter, and are claimed atomically with `ip netns add`, so several test processes can
/// build networks at once. Needs root, `ip`, `nft` and OpenBSD `nc`.
///
/// Always call `teardown()` (in a `defer`): it ends every process in the namespaces and deletes them.
final class TestNetwork {
    /// One machine of the network.
    enum Node: String, CaseIterable, CustomStringConvertible {
        case host = "h", admin = "m", attacker = "x"

        var ipv4: String {
            switch self {
            case .host: "198.51.100.1"
            case .admin: "198.51.100.10"
            case .attacker: "198.51.100.66"
            }
        }

        var ipv6: String {
            switch self {
            case .host: "2001:db8::1"
            case .admin: "2001:db8::10"
            case .attacker: "2001:db8::66"
            }
        }

        func address(ipv6: Bool) -> String { ipv6 ? self.ipv6 : ipv4 }

        var description: String {
            switch self {
            case .host: "host"
            case .admin: "admin"
            case .attacker: "attacker"
            }
        }
    }

    /// The search path hooks get, as the daemon sets it.
    static let hookPath = "/usr/sbin:/usr/bin:/sbin:/bin"

    /// Names already tried by this process; the counter in `cn<pid % 10000>n<counter>`.
    private static let counter = Mutex(0)

    /// The common start of this network's namespace names, e.g. `cn4242n0`.
    let prefix: String
    private var processes: [Process] = []
    private var tornDown = false

    /// Builds the network and waits until every address is usable.
    /// - Throws: `TestNetworkError` when not root, a tool is missing or a step fails (after removing
    ///   what was built).
    init() throws {
        guard geteuid() == 0 else {
            throw TestNetworkError(description: "network hook tests need root (network namespaces, nftables); run them as root")
        }
        for tool in ["ip", "nft", "nc", "ss"] where Self.executable(tool) == nil {
            throw TestNetworkError(description: "network hook tests need '\(tool)' (apt-get install iproute2 nftables netcat-openbsd)")
        }
        let pid = Int(getpid()) % 10000
        var claimed: String?
        for _ in 0..<1000 {
            let number = Self.counter.withLock { value in
                defer { value += 1 }
                return value
            }
            let candidate = "cn\(pid)n\(number)"
            // `ip netns add` creates /run/netns/NAME exclusively: whoever gets the switch owns the prefix.
            let result = try runCommand([Self.ip, "netns", "add", candidate + "-sw"])
            if result.status == 0 {
                claimed = candidate
                break
            }
            guard result.standardError.contains("File exists") else {
                throw TestNetworkError(description: "ip netns add \(candidate)-sw: \(result.standardError)")
            }
        }
        guard let claimed else { throw TestNetworkError(description: "no free network namespace name cn\(pid)n*") }
        prefix = claimed
        do {
            try build()
        } catch {
            teardown()
            throw error
        }
    }

    deinit { teardown() }

    /// The name of the namespace of `node`.
    func namespace(_ node: Node) -> String { "\(prefix)-\(node.rawValue)" }

    private var switchNamespace: String { "\(prefix)-sw" }

    private func build() throws {
        for node in Node.allCases {
            try check(["netns", "add", namespace(node)])
        }
        try check(["-n", switchNamespace, "link", "add", "br0", "type", "bridge"])
        try check(["-n", switchNamespace, "link", "set", "br0", "up"])
        for node in Node.allCases {
            let port = "port-\(node.rawValue)"
            try check(["-n", switchNamespace, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", namespace(node)])
            try check(["-n", switchNamespace, "link", "set", port, "master", "br0", "up"])
            try check(["-n", namespace(node), "link", "set", "lo", "up"])
            try check(["-n", namespace(node), "link", "set", "eth0", "up"])
            try check(["-n", namespace(node), "address", "add", node.ipv4 + "/24", "dev", "eth0"])
            try check(["-n", namespace(node), "address", "add", node.ipv6 + "/64", "dev", "eth0", "nodad"])
        }
    }

    /// Runs `ip ARGUMENTS` and throws with its stderr when it fails.
    private func check(_ arguments: [String]) throws {
        let result = try runCommand([Self.ip] + arguments)
        guard result.status == 0 else {
            throw TestNetworkError(description: "ip \(arguments.joined(separator: " ")): \(result.standardError)")
        }
    }

    /// Runs a command inside the namespace of `node` to completion.
    /// - Parameters:
    ///   - node: where the command runs.
    ///   - arguments: the command and its arguments (a name is looked up in PATH).
    ///   - input: bytes for its stdin, which is closed after them.
    @discardableResult
    func run(in node: Node, _ arguments: [String], input: Data? = nil) throws -> CommandResult {
        try runCommand([Self.ip, "netns", "exec", namespace(node)] + arguments, input: input)
    }

    /// Starts a command inside the namespace of `node` in the background; `teardown()` ends it.
    /// - Parameters:
    ///   - output: a file for its stdout (created or truncated); nil discards it. Stdin is /dev/null.
    @discardableResult
    func spawn(in node: Node, _ arguments: [String], output: String? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.ip)
        process.arguments = ["netns", "exec", namespace(node)] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil) else {
                throw TestNetworkError(description: "cannot create \(output)")
            }
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        try process.run()
        processes.append(process)
        return process
    }

    /// Starts a TCP listener (`nc -dlk`) on `node`'s address and port that accepts any number of
    /// connections, and waits until it listens.
    func listen(in node: Node, port: Int, ipv6: Bool = false) throws {
        try spawn(in: node, ["nc", ipv6 ? "-6" : "-4", "-dlk", node.address(ipv6: ipv6), String(port)])
        try waitUntilListening(in: node, port: port, ipv6: ipv6)
    }

    /// Waits until something in `node` listens on TCP `port` of its address (or throws after `timeout` s).
    func waitUntilListening(in node: Node, port: Int, ipv6: Bool = false, timeout: Double = 5) throws {
        let deadline = Date().addingTimeInterval(timeout)
        let local = ipv6 ? "[\(node.ipv6)]:\(port)" : "\(node.ipv4):\(port)"
        repeat {
            let result = try run(in: node, ["ss", "-Hltn", "src", local])
            if result.status == 0, !result.standardOutput.isEmpty { return }
            usleep(20_000)
        } while Date() < deadline
        throw TestNetworkError(description: "nothing listens on \(local) in \(node) after \(timeout) s")
    }

    /// Whether `source` can open a TCP connection to `destination`'s address and port (`nc -z`),
    /// within `timeout` seconds: a dropped SYN costs the whole timeout.
    func canConnect(from source: Node, to destination: Node, port: Int, ipv6: Bool = false, timeout: Int = 2) throws -> Bool {
        try run(in: source, ["nc", ipv6 ? "-6" : "-4", "-z", "-w", String(timeout),
                             destination.address(ipv6: ipv6), String(port)]).status == 0
    }

    /// `nft list ruleset` inside `node`; `stateless` (`nft -s`) leaves out counters and the time left
    /// of set elements with a timeout.
    func ruleset(in node: Node = .host, stateless: Bool = false) throws -> String {
        let result = try run(in: node, ["nft"] + (stateless ? ["-s"] : []) + ["list", "ruleset"])
        guard result.status == 0 else { throw TestNetworkError(description: "nft list ruleset in \(node): \(result.standardError)") }
        return result.standardOutput
    }

    /// Loads an nft script (`nft -f -`) inside `node`.
    func loadRuleset(_ script: String, in node: Node = .host) throws {
        let result = try run(in: node, ["nft", "-f", "-"], input: Data(script.utf8))
        guard result.status == 0 else { throw TestNetworkError(description: "nft -f - in \(node): \(result.standardError)") }
    }

    /// Forgets every neighbour (ARP and NDP) entry in every namespace, so the next packets must
    /// resolve addresses again, through whatever firewall is in place.
    func flushNeighbours() throws {
        for node in Node.allCases {
            try check(["-n", namespace(node), "neighbour", "flush", "all"])
        }
    }

    /// Runs a shipped hook inside `node` as the daemon does: an empty environment but PATH, LANG and
    /// the CORDON_* variables, the verb as the only argument, the alert JSON on stdin.
    /// - Parameters:
    ///   - hook: the file name in `hooks/`.
    ///   - verb: `apply` or `release`.
    ///   - environment: CORDON_* settings; they override the defaults (action id, action, verb).
    ///   - input: the alert JSON.
    func runHook(_ hook: String, _ verb: String, environment: [String: String] = [:],
                 input: Data = Data("{}".utf8), in node: Node = .host) throws -> CommandResult {
        var variables = ["PATH": Self.hookPath, "LANG": "C.UTF-8",
                         "CORDON_ACTION_ID": "0123456789abcdef0123456789abcdef", "CORDON_ACTION": hook, "CORDON_VERB": verb]
        variables.merge(environment) { _, new in new }
        let assignments = variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return try run(in: node, ["/usr/bin/env", "-i"] + assignments + [Paths.hooks + "/" + hook, verb], input: input)
    }

    /// Ends every process in the namespaces (by id, from `ip netns pids`) and deletes the namespaces.
    /// Safe to call more than once.
    func teardown() {
        guard !tornDown else { return }
        tornDown = true
        let namespaces = Node.allCases.map(namespace) + [switchNamespace]
        for name in namespaces {
            guard let pids = try? runCommand([Self.ip, "netns", "pids", name]) else { continue }
            for pid in pids.standardOutput.split(whereSeparator: \.isWhitespace).compactMap({ Int32($0) }) {
                kill(pid, SIGKILL)
            }
        }
        for process in processes where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        for process in processes { process.waitUntilExit() }
        processes.removeAll()
        for name in namespaces {
            _ = try? runCommand([Self.ip, "netns", "delete", name])
        }
    }

    private static let ip = executable("ip") ?? "/usr/sbin/ip"

    /// The path of a tool in the usual system directories, or nil.
    static func executable(_ name: String) -> String? {
        hookPath.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
