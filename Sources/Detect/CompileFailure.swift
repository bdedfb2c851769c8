import Rules

/// Why part of a rule could not be compiled: one diagnostic per problem.
struct CompileFailure: Error {
    var diagnostics: [Diagnostic]
}
