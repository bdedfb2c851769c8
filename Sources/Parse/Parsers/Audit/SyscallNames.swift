/// Names syscall numbers per audit architecture (`arch=` in a SYSCALL record).
enum SyscallNames {
    private static let x86_64 = Bytes.of("c000003e")
    private static let i386 = Bytes.of("40000003")
    private static let aarch64 = Bytes.of("c00000b7")

    /// The name of syscall `number` (decimal) on `architecture` (the kernel's hex `AUDIT_ARCH_*`
    /// value), or nil for an architecture without a table or an unknown number.
    static func name(architecture: ArraySlice<UInt8>, number: ArraySlice<UInt8>) -> StaticString? {
        let table: [StaticString]
        if equalsIgnoringCase(architecture, x86_64) {
            table = SyscallTables.x86_64
        } else if equalsIgnoringCase(architecture, aarch64) {
            table = SyscallTables.aarch64
        } else if equalsIgnoringCase(architecture, i386) {
            table = SyscallTables.i386
        } else {
            return nil
        }
        guard !table.isEmpty, let index = number.decimalValue(limit: table.count - 1),
              table[index].utf8CodeUnitCount > 0
        else { return nil }
        return table[index]
    }

    /// Whether the bytes equal `lowercase`, ignoring ASCII case.
    private static func equalsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ lowercase: [UInt8]) -> Bool {
        bytes.count == lowercase.count && zip(bytes, lowercase).allSatisfy { ($0 | 0x20) == $1 || $0 == $1 }
    }
}
