#!/usr/bin/env python3
"""Approximate, throwaway-quality Sigma check for the audit fixtures (needs PyYAML): assembles the records into
Sysmon-style events (process_creation, file_event, network_connection) and per-record auditd events, and
evaluates the SigmaHQ linux rules of those log sources. Aggregations (| count, | near) are ignored.
Usage: scripts/audit-sigma-check.py Tests/Fixtures/audit/*.log   (SIGV=-v also prints the assembled events)
Rules are read from ../shared/sigma/rules beside the repository (or $SIGMA_RULES). Used to write Tests/Fixtures/audit/EXPECTED.md."""
import glob, ipaddress, os, re, sys, base64
import yaml

RULES = os.environ.get("SIGMA_RULES") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "sigma", "rules")
SYSCALLS = {}
for line in os.popen("echo '#include <asm/unistd_64.h>' | cpp -dM - | sed -nE 's/^#define __NR_([a-z0-9_]+) ([0-9]+)$/\\2 \\1/p'"):
    n, name = line.split(); SYSCALLS[n] = name
USERS = {"0": "root", "1000": "alice", "1001": "eve", "33": "www-data"}

REC = re.compile(r"^type=(\S+) msg=audit\((\d+)\.(\d+):(\d+)\): ?(.*)$")
TOK = re.compile(r"(\S+?)=(\"[^\"]*\"|'.*'$|\S*)")

def unhex(v):
    try:
        return bytes.fromhex(v).decode("utf-8", "replace")
    except ValueError:
        return v

def parse_body(body):
    f = {}
    for k, v in TOK.findall(body):
        if v.startswith('"'):
            v = v[1:-1]
        elif k in ("proctitle", "name", "cwd", "comm", "exe", "key", "saddr") or re.fullmatch(r"a\d+(\[\d+\])?", k):
            if k not in ("saddr",) and re.fullmatch(r"([0-9A-F]{2})+", v) and k != "key" or (k == "proctitle" and re.fullmatch(r"([0-9A-F]{2})+", v)):
                v = unhex(v)
                if k == "proctitle":
                    v = v.replace("\0", " ")
        f[k] = v
    return f

def load(path):
    recs = []
    for line in open(path, encoding="utf-8", errors="surrogateescape"):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        m = REC.match(line)
        t, sec, ms, serial, body = m.groups()
        f = parse_body(body)
        f["type"] = t
        if t == "SYSCALL":
            f["SYSCALL"] = SYSCALLS.get(f.get("syscall"), f.get("syscall"))
        recs.append({"type": t, "serial": serial, "body": body, "fields": f, "raw": line})
    return recs

def execve_args(recs):
    args = {}
    argc = None
    for r in recs:
        if r["type"] != "EXECVE":
            continue
        f = r["fields"]
        if "argc" in f: argc = int(f["argc"])
        for k, v in TOK.findall(r["body"]):
            m = re.fullmatch(r"a(\d+)(?:\[(\d+)\])?", k)
            if not m: continue
            i = int(m.group(1))
            if v.startswith('"'): part = v[1:-1].encode()
            else: part = bytes.fromhex(v)
            args.setdefault(i, []).append(part)
    return [b"".join(args[i]).decode("utf-8", "replace") for i in sorted(args)], argc

def sockaddr(hexs):
    b = bytes.fromhex(hexs)
    fam = int.from_bytes(b[0:2], "little")
    if fam == 2:
        return str(ipaddress.IPv4Address(b[4:8])), str(int.from_bytes(b[2:4], "big"))
    if fam == 10:
        return str(ipaddress.IPv6Address(b[8:24])), str(int.from_bytes(b[2:4], "big"))
    return None, None

def assemble(recs):
    events = {}
    order = []
    for r in recs:
        if r["serial"] not in events:
            events[r["serial"]] = []; order.append(r["serial"])
        events[r["serial"]].append(r)
    procs = {}  # pid -> (image, cmdline)
    out = []
    for s in order:
        rs = events[s]
        sc = next((r["fields"] for r in rs if r["type"] == "SYSCALL"), None)
        cwd = next((r["fields"].get("cwd") for r in rs if r["type"] == "CWD"), None)
        if sc is None:
            continue
        base = {"Image": sc.get("exe"), "ProcessId": sc.get("pid"), "User": USERS.get(sc.get("uid"), sc.get("uid")),
                "CurrentDirectory": cwd, "LogonId": sc.get("ses")}
        parent = procs.get(sc.get("ppid"), (None, None))
        if sc.get("syscall") in ("59", "322") and sc.get("success") == "yes":
            args, argc = execve_args(rs)
            ev = dict(base, CommandLine=" ".join(args) if args else None,
                      ParentImage=parent[0], ParentCommandLine=parent[1], ParentProcessId=sc.get("ppid"))
            if args:
                procs[sc.get("pid")] = (sc.get("exe"), ev["CommandLine"])
            out.append(("process_creation", s, ev))
        else:
            cur = procs.get(sc.get("pid"), (sc.get("exe"), None))
            base["CommandLine"] = cur[1]
        for r in rs:
            if r["type"] == "PATH" and r["fields"].get("nametype") == "CREATE":
                name = r["fields"].get("name")
                if name and not name.startswith("/") and cwd:
                    name = os.path.normpath(os.path.join(cwd, name))
                out.append(("file_event", s, dict(base, TargetFilename=name)))
            if r["type"] == "SOCKADDR":
                ip, port = sockaddr(r["fields"]["saddr"])
                if ip:
                    out.append(("network_connection", s, dict(base, DestinationIp=ip, DestinationPort=port, Initiated="true")))
    return out

# ---- sigma
def match_value(actual, expected, mods):
    if actual is None:
        return expected is None and not mods
    if expected is None:
        return False
    if "cidr" in mods:
        try: return ipaddress.ip_address(actual) in ipaddress.ip_network(expected, strict=False)
        except ValueError: return False
    a = str(actual); e = str(expected)
    if "re" in mods:
        return re.search(e, a) is not None
    if "base64offset" in mods:
        cands = []
        for i in range(3):
            enc = base64.b64encode(b"\0" * i + e.encode()).decode()
            start = [0, 2, 3][i]; end = len(enc) - [0, 3, 2][(len(e) + i) % 3]
            cands.append(enc[start:end])
        return any(c in a for c in cands)
    if "windash" in mods:
        pass
    a = a.lower(); e = e.lower()
    if "contains" in mods:
        if "*" in e: return fnmatch_like(a, "*" + e + "*")
        return e in a
    if "startswith" in mods:
        return a.startswith(e) if "*" not in e else fnmatch_like(a, e + "*")
    if "endswith" in mods:
        return a.endswith(e) if "*" not in e else fnmatch_like(a, "*" + e)
    if "*" in e or "?" in e:
        return fnmatch_like(a, e)
    return a == e

def fnmatch_like(a, pattern):
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(rx, a, re.S) is not None

def match_selection(sel, ev, raw):
    if isinstance(sel, list):
        if all(isinstance(x, dict) for x in sel):
            return any(match_selection(x, ev, raw) for x in sel)
        return any(match_value(raw, str(x), ["contains"]) for x in sel)  # keywords
    if isinstance(sel, str):
        return match_value(raw, sel, ["contains"])
    for key, val in sel.items():
        parts = key.split("|"); field = parts[0]; mods = parts[1:]
        vals = val if isinstance(val, list) else [val]
        actual = ev.get(field)
        if "exists" in mods:
            ok = (actual is not None) == bool(vals[0])
        elif "all" in mods:
            ok = all(match_value(actual, v, mods) for v in vals)
        else:
            ok = any(match_value(actual, v, mods) for v in vals)
        if not ok:
            return False
    return True

def eval_cond(cond, results):
    toks = re.findall(r"\(|\)|[^\s()]+", cond.split("|")[0])
    pos = [0]
    def peek(): return toks[pos[0]] if pos[0] < len(toks) else None
    def take(): pos[0] += 1; return toks[pos[0] - 1]
    def names(pat):
        if pat == "them": return list(results)
        return [n for n in results if fnmatch_like(n, pat)]
    def primary():
        t = take()
        if t == "(":
            v = orx(); take(); return v
        if t == "not": return not primary()
        if t in ("1", "all") and peek() == "of":
            take(); pat = take(); ns = names(pat)
            return any(results[n] for n in ns) if t == "1" else all(results[n] for n in ns)
        return results[t]
    def andx():
        v = primary()
        while peek() == "and":
            take(); w = primary(); v = v and w
        return v
    def orx():
        v = andx()
        while peek() == "or":
            take(); w = andx(); v = v or w
        return v
    return orx()

def load_rules():
    rules = []
    for path in sorted(glob.glob(RULES + "/rules*/linux/**/*.yml", recursive=True)):
        for doc in yaml.safe_load_all(open(path)):
            if not doc or "detection" not in doc: continue
            ls = doc.get("logsource", {})
            kind = ls.get("category") or ("auditd" if ls.get("service") == "auditd" else None)
            if kind not in ("process_creation", "file_event", "network_connection", "auditd"): continue
            rules.append((kind, path, doc))
    return rules

def evaluate(fixture, rules):
    recs = load(fixture)
    events = assemble(recs)
    hits = []
    for kind, path, doc in rules:
        det = dict(doc["detection"]); cond = det.pop("condition"); det.pop("timeframe", None)
        conds = cond if isinstance(cond, list) else [cond]
        cands = [(k, s, e, None) for k, s, e in events if k == kind] if kind != "auditd" else \
                [("auditd", r["serial"], r["fields"], r["body"]) for r in recs]
        for k, s, ev, raw in cands:
            rawtext = raw if raw is not None else " ".join(str(v) for v in ev.values() if v)
            res = {n: match_selection(sel, ev, rawtext) for n, sel in det.items()}
            try:
                ok = any(eval_cond(c, res) for c in conds)
            except Exception as err:
                print("ERR", path, err, file=sys.stderr); ok = False
            if ok:
                hits.append((doc.get("id"), doc.get("title"), os.path.relpath(path, RULES), doc.get("status"), k, s, ev.get("type") if kind == "auditd" else ev, "|" in str(cond)))
    return events, hits

if __name__ == "__main__":
    rules = load_rules()
    print(len(rules), "rules", file=sys.stderr)
    for fx in sys.argv[1:]:
        events, hits = evaluate(fx, rules)
        print("##", os.path.basename(fx))
        if "-v" in os.environ.get("SIGV", ""):
            for e in events: print("  EV", e)
        seen = set()
        for h in hits:
            key = (h[0], h[5], str(h[6]))
            if key in seen: continue
            seen.add(key)
            print("  %s | %s | %s | %s | %s serial=%s | %s%s" % (h[0], h[1], h[2], h[3], h[4], h[5], h[6], " (aggregation ignored)" if h[7] else ""))
