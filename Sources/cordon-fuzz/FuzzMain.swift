import Fuzz
import Glibc

#if FUZZING
// libFuzzer's entry points (`make fuzz` builds with -sanitize=fuzzer and -DFUZZING): the target
// is named by CORDON_FUZZ_TARGET (rules, parsers, pipeline).

/// The target libFuzzer runs. libFuzzer calls in from one thread, after initialising.
nonisolated(unsafe) private var target: (any FuzzTarget)? = nil

/// Makes the target named by `CORDON_FUZZ_TARGET`; exits when there is none.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>,
                             _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    let name = getenv("CORDON_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    do {
        target = try FuzzTargets.make(name, rulesDirectory: FuzzTargets.defaultRulesDirectory)
    } catch {
        fail("cordon-fuzz: \(error); set CORDON_FUZZ_TARGET", status: 64)
    }
    return 0
}

/// Runs one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let target else { return 0 }
    target.run(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
#else
/// Without libFuzzer: `cordon-fuzz TARGET FILE|DIRECTORY…` runs each file (a directory: each file
/// in it) through the target once, so a crash input reproduces in a debugger.
@main
struct FuzzMain {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first else {
            fail("usage: cordon-fuzz \(FuzzTargets.names.joined(separator: "|")) FILE|DIRECTORY...", status: 64)
        }
        let target: any FuzzTarget
        do {
            target = try FuzzTargets.make(name, rulesDirectory: FuzzTargets.defaultRulesDirectory)
        } catch {
            fail("cordon-fuzz: \(error)", status: 64)
        }
        var count = 0
        for path in arguments.dropFirst() {
            for file in FuzzCorpus.files(at: path) {
                guard let input = FuzzCorpus.read(file) else {
                    fail("cordon-fuzz: \(file): cannot read", status: 66)
                }
                target.run(input)
                count += 1
            }
        }
        print("cordon-fuzz \(name): \(count) inputs ran")
    }
}
#endif

/// Writes `message` and a newline to standard error and exits with `status`.
func fail(_ message: String, status: CInt) -> Never {
    var line = message + "\n"
    line.withUTF8 { bytes in _ = write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
    exit(status)
}
