#!/usr/bin/env python3
"""Converts kernel audit records (audit.log text) into systemd journal export format, exactly as
systemd-journald 252 stores them when it reads the audit netlink socket itself.

Input: one record a line, as auditd writes them (`type=SYSCALL msg=audit(SEC.MSEC:SERIAL): BODY`);
`#` comments and blank lines are ignored; an optional `node=NAME ` prefix and auditd's enriched
part (after the 0x1d separator) are dropped, since the kernel never sent them.
Output: journal export format on stdout; feed it to
`/lib/systemd/systemd-journal-remote --output=DIR/NAME.journal -`.

The transformation follows systemd v252 src/journal/journald-audit.c (process_audit_string,
map_all_fields and the map_fields_kernel/map_fields_userspace tables) and
src/journal/journald-server.c (dispatch_message_real: _BOOT_ID, _MACHINE_ID, _HOSTNAME,
_RUNTIME_SCOPE; write_to_journal: the entry's realtime is the time journald *received* the record,
the record's own time only goes to _SOURCE_REALTIME_TIMESTAMP). See Tests/Fixtures/audit/README.md.
Python 3 standard library only; the output is a pure function of the input and the options.
"""

import argparse
import re
import struct
import sys

# Record type number -> name: the table journald 252 is built with (generate-audit_type-list.sh over
# <linux/audit.h> 6.1 and libaudit.h 3.0.9, FIRST_/LAST_ markers excluded). Unknown numbers become
# "AUDIT%04d" (audit_type_name_alloca).
_TYPES = """
    1000:GET 1001:SET 1002:LIST 1003:ADD 1004:DEL 1005:USER
    1006:LOGIN 1007:WATCH_INS 1008:WATCH_REM 1009:WATCH_LIST 1010:SIGNAL_INFO 1011:ADD_RULE
    1012:DEL_RULE 1013:LIST_RULES 1014:TRIM 1015:MAKE_EQUIV 1016:TTY_GET 1017:TTY_SET
    1018:SET_FEATURE 1019:GET_FEATURE 1100:USER_AUTH 1101:USER_ACCT 1102:USER_MGMT 1103:CRED_ACQ
    1104:CRED_DISP 1105:USER_START 1106:USER_END 1107:USER_AVC 1108:USER_CHAUTHTOK 1109:USER_ERR
    1110:CRED_REFR 1111:USYS_CONFIG 1112:USER_LOGIN 1113:USER_LOGOUT 1114:ADD_USER 1115:DEL_USER
    1116:ADD_GROUP 1117:DEL_GROUP 1118:DAC_CHECK 1119:CHGRP_ID 1120:TEST 1121:TRUSTED_APP
    1122:USER_SELINUX_ERR 1123:USER_CMD 1124:USER_TTY 1125:CHUSER_ID 1126:GRP_AUTH 1127:SYSTEM_BOOT
    1128:SYSTEM_SHUTDOWN 1129:SYSTEM_RUNLEVEL 1130:SERVICE_START 1131:SERVICE_STOP 1132:GRP_MGMT 1133:GRP_CHAUTHTOK
    1134:MAC_CHECK 1135:ACCT_LOCK 1136:ACCT_UNLOCK 1137:USER_DEVICE 1138:SOFTWARE_UPDATE 1200:DAEMON_START
    1201:DAEMON_END 1202:DAEMON_ABORT 1203:DAEMON_CONFIG 1204:DAEMON_RECONFIG 1205:DAEMON_ROTATE 1206:DAEMON_RESUME
    1207:DAEMON_ACCEPT 1208:DAEMON_CLOSE 1209:DAEMON_ERR 1300:SYSCALL 1302:PATH 1303:IPC
    1304:SOCKETCALL 1305:CONFIG_CHANGE 1306:SOCKADDR 1307:CWD 1309:EXECVE 1311:IPC_SET_PERM
    1312:MQ_OPEN 1313:MQ_SENDRECV 1314:MQ_NOTIFY 1315:MQ_GETSETATTR 1316:KERNEL_OTHER 1317:FD_PAIR
    1318:OBJ_PID 1319:TTY 1320:EOE 1321:BPRM_FCAPS 1322:CAPSET 1323:MMAP
    1324:NETFILTER_PKT 1325:NETFILTER_CFG 1326:SECCOMP 1327:PROCTITLE 1328:FEATURE_CHANGE 1329:REPLACE
    1330:KERN_MODULE 1331:FANOTIFY 1332:TIME_INJOFFSET 1333:TIME_ADJNTPVAL 1334:BPF 1335:EVENT_LISTENER
    1336:URINGOP 1337:OPENAT2 1338:DM_CTRL 1339:DM_EVENT 1400:AVC 1401:SELINUX_ERR
    1402:AVC_PATH 1403:MAC_POLICY_LOAD 1404:MAC_STATUS 1405:MAC_CONFIG_CHANGE 1406:MAC_UNLBL_ALLOW 1407:MAC_CIPSOV4_ADD
    1408:MAC_CIPSOV4_DEL 1409:MAC_MAP_ADD 1410:MAC_MAP_DEL 1411:MAC_IPSEC_ADDSA 1412:MAC_IPSEC_DELSA 1413:MAC_IPSEC_ADDSPD
    1414:MAC_IPSEC_DELSPD 1415:MAC_IPSEC_EVENT 1416:MAC_UNLBL_STCADD 1417:MAC_UNLBL_STCDEL 1418:MAC_CALIPSO_ADD 1419:MAC_CALIPSO_DEL
    1500:AA 1501:APPARMOR_AUDIT 1502:APPARMOR_ALLOWED 1503:APPARMOR_DENIED 1504:APPARMOR_HINT 1505:APPARMOR_STATUS
    1506:APPARMOR_ERROR 1507:APPARMOR_KILL 1700:ANOM_PROMISCUOUS 1701:ANOM_ABEND 1702:ANOM_LINK 1703:ANOM_CREAT
    1800:INTEGRITY_DATA 1801:INTEGRITY_METADATA 1802:INTEGRITY_STATUS 1803:INTEGRITY_HASH 1804:INTEGRITY_PCR 1805:INTEGRITY_RULE
    1806:INTEGRITY_EVM_XATTR 1807:INTEGRITY_POLICY_RULE 2000:KERNEL 2100:ANOM_LOGIN_FAILURES 2101:ANOM_LOGIN_TIME 2102:ANOM_LOGIN_SESSIONS
    2103:ANOM_LOGIN_ACCT 2104:ANOM_LOGIN_LOCATION 2105:ANOM_MAX_DAC 2106:ANOM_MAX_MAC 2107:ANOM_AMTU_FAIL 2108:ANOM_RBAC_FAIL
    2109:ANOM_RBAC_INTEGRITY_FAIL 2110:ANOM_CRYPTO_FAIL 2111:ANOM_ACCESS_FS 2112:ANOM_EXEC 2113:ANOM_MK_EXEC 2114:ANOM_ADD_ACCT
    2115:ANOM_DEL_ACCT 2116:ANOM_MOD_ACCT 2117:ANOM_ROOT_TRANS 2118:ANOM_LOGIN_SERVICE 2119:ANOM_LOGIN_ROOT 2120:ANOM_ORIGIN_FAILURES
    2121:ANOM_SESSION 2200:RESP_ANOMALY 2201:RESP_ALERT 2202:RESP_KILL_PROC 2203:RESP_TERM_ACCESS 2204:RESP_ACCT_REMOTE
    2205:RESP_ACCT_LOCK_TIMED 2206:RESP_ACCT_UNLOCK_TIMED 2207:RESP_ACCT_LOCK 2208:RESP_TERM_LOCK 2209:RESP_SEBOOL 2210:RESP_EXEC
    2211:RESP_SINGLE 2212:RESP_HALT 2213:RESP_ORIGIN_BLOCK 2214:RESP_ORIGIN_BLOCK_TIMED 2215:RESP_ORIGIN_UNBLOCK_TIMED 2300:USER_ROLE_CHANGE
    2301:ROLE_ASSIGN 2302:ROLE_REMOVE 2303:LABEL_OVERRIDE 2304:LABEL_LEVEL_CHANGE 2305:USER_LABELED_EXPORT 2306:USER_UNLABELED_EXPORT
    2307:DEV_ALLOC 2308:DEV_DEALLOC 2309:FS_RELABEL 2310:USER_MAC_POLICY_LOAD 2311:ROLE_MODIFY 2312:USER_MAC_CONFIG_CHANGE
    2313:USER_MAC_STATUS 2400:CRYPTO_TEST_USER 2401:CRYPTO_PARAM_CHANGE_USER 2402:CRYPTO_LOGIN 2403:CRYPTO_LOGOUT 2404:CRYPTO_KEY_USER
    2405:CRYPTO_FAILURE_USER 2406:CRYPTO_REPLAY_USER 2407:CRYPTO_SESSION 2408:CRYPTO_IKE_SA 2409:CRYPTO_IPSEC_SA 2500:VIRT_CONTROL
    2501:VIRT_RESOURCE 2502:VIRT_MACHINE_ID 2503:VIRT_INTEGRITY_CHECK 2504:VIRT_CREATE 2505:VIRT_DESTROY 2506:VIRT_MIGRATE_IN
    2507:VIRT_MIGRATE_OUT 8560:MESSAGE_TEXT_MAX
"""
TYPE_NAMES = {}
for _item in _TYPES.split():
    _number, _name = _item.split(":")
    TYPE_NAMES[int(_number)] = _name
TYPE_NUMBERS = {name: number for number, name in TYPE_NAMES.items()}

AUDIT_USER = 1005
AUDIT_FIRST_USER_MSG = 1100
N_IOVEC_AUDIT_FIELDS = 64          # journald-server.h: at most 64 fields mapped out of one record
WHITESPACE = b" \t\n\r"
HEX = b"0123456789abcdefABCDEF"

DEFAULT_BOOT_ID = "0c9d5e3f2b1a4c6d8e7f901a2b3c4d5e"
DEFAULT_MACHINE_ID = "4f1c2a9be0d34c6a9d8e7f6a5b4c3d21"
DEFAULT_HOSTNAME = "deb12"


def map_simple_field(field, data, p, out):
    """journald-audit.c map_simple_field: the value runs to the next NUL or space, copied raw."""
    e = p
    while e < len(data) and data[e] != 0x20:
        e += 1
    out.append((field, data[p:e]))
    return 1, e


def map_string_field(field, data, p, out, filter_printable=False):
    """journald-audit.c map_string_field_internal: "quoted" -> unquoted, HEX -> decoded; else 0."""
    if p < len(data) and data[p] == 0x22:
        s = p + 1
        e = data.find(b'"', s)
        if e < 0:
            return 0, p
        out.append((field, data[s:e]))
        return 1, e + 1
    if p < len(data) and data[p] in HEX:
        value = bytearray()
        e = p
        while e < len(data) and data[e] != 0x20:
            if data[e] not in HEX or e + 1 >= len(data) or data[e + 1] not in HEX:
                return 0, p
            x = int(data[e:e + 2], 16)
            if filter_printable and x < 0x20:
                x = 0x20
            value.append(x)
            e += 2
        out.append((field, bytes(value)))
        return 1, e
    return 0, p


def map_string_field_printable(field, data, p, out):
    return map_string_field(field, data, p, out, filter_printable=True)


def map_generic_field(prefix, data, p, out):
    """journald-audit.c map_generic_field: KEY (1-15 of [A-Za-z0-9_-]) '=' VALUE -> PREFIX+KEY."""
    e = p
    while e < p + 16:
        c = data[e] if e < len(data) else 0
        if c in (0, 0x20):
            return 0, p
        if c == 0x3D:
            break
        if not (0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A or 0x30 <= c <= 0x39 or c in (0x5F, 0x2D)):
            return 0, p
        e += 1
    if e <= p or e >= p + 16:
        return 0, p
    name = data[p:e].upper().replace(b"-", b"_").decode("ascii")
    return map_simple_field(prefix + name, data, e + 1, out)


MAP_FIELDS_KERNEL = [
    (b"pid=", "_PID", map_simple_field),
    (b"ppid=", "_PPID", map_simple_field),
    (b"uid=", "_UID", map_simple_field),
    (b"euid=", "_EUID", map_simple_field),
    (b"fsuid=", "_FSUID", map_simple_field),
    (b"gid=", "_GID", map_simple_field),
    (b"egid=", "_EGID", map_simple_field),
    (b"fsgid=", "_FSGID", map_simple_field),
    (b"tty=", "_TTY", map_simple_field),
    (b"ses=", "_AUDIT_SESSION", map_simple_field),
    (b"auid=", "_AUDIT_LOGINUID", map_simple_field),
    (b"subj=", "_SELINUX_CONTEXT", map_simple_field),
    (b"comm=", "_COMM", map_string_field),
    (b"exe=", "_EXE", map_string_field),
    (b"proctitle=", "_CMDLINE", map_string_field_printable),
    (b"path=", "_AUDIT_FIELD_PATH", map_string_field),
    (b"dev=", "_AUDIT_FIELD_DEV", map_string_field),
    (b"name=", "_AUDIT_FIELD_NAME", map_string_field),
]

MAP_FIELDS_USERSPACE = [
    (b"cwd=", "AUDIT_FIELD_CWD", map_string_field),
    (b"cmd=", "AUDIT_FIELD_CMD", map_string_field),
    (b"acct=", "AUDIT_FIELD_ACCT", map_string_field),
    (b"exe=", "AUDIT_FIELD_EXE", map_string_field),
    (b"comm=", "AUDIT_FIELD_COMM", map_string_field),
]


def map_all_fields(data, map_fields, prefix, handle_msg, out, limit):
    """journald-audit.c map_all_fields; `limit` counts the fields this record may still add."""
    p = 0
    while True:
        if len(out) >= limit:
            return  # "More fields in audit message than audit field limit (64)": the rest is lost
        while p < len(data) and data[p] in WHITESPACE:
            p += 1
        if p >= len(data):
            return
        if handle_msg and data.startswith(b"msg='", p):
            v = p + 5
            if not data.endswith(b"'") or len(data) - 1 < v:
                return  # no final quote: stop splitting
            # Userspace part: unescaped, the last field; mapped with the untrusted table, no "_".
            map_all_fields(data[v:len(data) - 1], MAP_FIELDS_USERSPACE, "AUDIT_FIELD_", False, out, limit)
            return
        mapped = False
        for audit_field, journal_field, mapper in map_fields:
            if data.startswith(audit_field, p):
                r, e = mapper(journal_field, data, p + len(audit_field), out)
                if r > 0:
                    mapped = True
                    p = e
                    break
        if not mapped:
            r, e = map_generic_field(prefix, data, p, out)
            if r == 0:
                # not a KEY=VALUE word: skip it
                while p < len(data) and data[p] not in WHITESPACE:
                    p += 1
            else:
                p = e


def process_audit_string(record_type, data):
    """journald-audit.c process_audit_string: the netlink payload -> (source usec, fields) or None."""
    if not data or b"\0" in data:
        return None
    m = re.match(rb"audit\(\s*([0-9]+)\.\s*([0-9]+):\s*([0-9]+)\):", data)
    if not m:
        return None
    seconds, msec, serial = (int(g) for g in m.groups())
    p = data[m.end():].lstrip(WHITESPACE)
    if not p:
        return None  # empty body, e.g. the EOE record: never stored
    source = seconds * 1000000 + msec * 1000
    type_name = TYPE_NAMES.get(record_type, "AUDIT%04d" % record_type)
    fields = [
        ("_TRANSPORT", b"audit"),
        ("_SOURCE_REALTIME_TIMESTAMP", b"%d" % source),
        ("_AUDIT_TYPE", b"%d" % record_type),
        ("_AUDIT_ID", b"%d" % serial),
        ("SYSLOG_FACILITY", b"4"),
        ("SYSLOG_IDENTIFIER", b"audit"),
        ("_AUDIT_TYPE_NAME", type_name.encode()),
        ("MESSAGE", type_name.encode() + b" " + p),
    ]
    mapped = []
    map_all_fields(p, MAP_FIELDS_KERNEL, "_AUDIT_FIELD_", True, mapped, N_IOVEC_AUDIT_FIELDS)
    return source, fields + mapped


LINE = re.compile(rb"^(?:node=\S+ )?type=(?:UNKNOWN\[([0-9]+)\]|([A-Z0-9_]+)) msg=(audit\(.*)$")


def parse_line(line, number):
    """An audit.log line -> (type number, netlink payload), or None for comments and blank lines."""
    line = line.rstrip(b"\r\n")
    if not line.strip() or line.lstrip().startswith(b"#"):
        return None
    line = line.split(b"\x1d", 1)[0]  # auditd ENRICHED format: interpreted fields after 0x1d
    m = LINE.match(line)
    if not m:
        raise ValueError("line %d: not an audit record 'type=NAME msg=audit(SEC.MSEC:SERIAL): BODY'" % number)
    if m.group(1):
        record_type = int(m.group(1))
    else:
        name = m.group(2).decode()
        if name not in TYPE_NUMBERS:
            raise ValueError("line %d: unknown record type %s; write type=UNKNOWN[NUMBER]" % (number, name))
        record_type = TYPE_NUMBERS[name]
    return record_type, m.group(3)


def accepted_by_journald(record_type):
    """journald-audit.c server_process_audit_message: control messages below 1100 (but 1005) dropped."""
    return record_type >= AUDIT_FIRST_USER_MSG or record_type == AUDIT_USER


def export_field(name, value):
    """One field in export format; binary-safe form for newlines, control bytes or non-UTF-8."""
    binary = any(c < 0x20 and c != 0x09 for c in value) or b"\x7f" in value
    if not binary:
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            binary = True
    if binary:
        return name.encode() + b"\n" + struct.pack("<Q", len(value)) + value + b"\n"
    return name.encode() + b"=" + value + b"\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", nargs="?", default="-", help="audit.log text (default: stdin)")
    parser.add_argument("--boot-id", default=DEFAULT_BOOT_ID, help="_BOOT_ID, 32 hex digits")
    parser.add_argument("--machine-id", default=DEFAULT_MACHINE_ID, help="_MACHINE_ID, 32 hex digits")
    parser.add_argument("--hostname", default=DEFAULT_HOSTNAME, help="_HOSTNAME")
    parser.add_argument("--latency-usec", type=int, default=350,
                        help="how long after the record's own time journald receives it (default 350)")
    parser.add_argument("--uptime-usec", type=int, default=3 * 3600 * 1000000,
                        help="__MONOTONIC_TIMESTAMP of the first entry (default 3 h)")
    args = parser.parse_args()
    for option, value in (("--boot-id", args.boot_id), ("--machine-id", args.machine_id)):
        if not re.fullmatch(r"[0-9a-f]{32}", value):
            parser.error("%s must be 32 lowercase hex digits" % option)

    stream = sys.stdin.buffer if args.input == "-" else open(args.input, "rb")
    out = sys.stdout.buffer
    last_realtime = None
    boot_realtime = None
    with stream:
        for number, line in enumerate(stream, 1):
            try:
                parsed = parse_line(line, number)
            except ValueError as error:
                sys.exit("audit-export: %s: %s" % (args.input, error))
            if parsed is None:
                continue
            record_type, payload = parsed
            if not accepted_by_journald(record_type):
                continue
            result = process_audit_string(record_type, payload)
            if result is None:
                continue
            source, fields = result
            # write_to_journal(): realtime/monotonic are journald's clock when it handled the
            # datagram, so they never go backwards even when the records' own times do.
            realtime = source + args.latency_usec
            if last_realtime is not None and realtime <= last_realtime:
                realtime = last_realtime + 1
            if boot_realtime is None:
                boot_realtime = realtime - args.uptime_usec
            last_realtime = realtime
            entry = [
                b"__REALTIME_TIMESTAMP=%d\n" % realtime,
                b"__MONOTONIC_TIMESTAMP=%d\n" % (realtime - boot_realtime),
            ]
            entry += [export_field(name, value) for name, value in fields]
            entry += [
                export_field("_BOOT_ID", args.boot_id.encode()),
                export_field("_MACHINE_ID", args.machine_id.encode()),
                export_field("_HOSTNAME", args.hostname.encode()),
                export_field("_RUNTIME_SCOPE", b"system"),
            ]
            out.write(b"".join(entry) + b"\n")


if __name__ == "__main__":
    main()
