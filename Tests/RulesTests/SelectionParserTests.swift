import Testing
@testable import Rules

@Suite struct SelectionParserTests {
    /// The selection `name` of a rule whose detection body is `detection`, which must load.
    private func loadSelection(_ detection: String, named name: String = "selection") throws -> Selection {
        let result = RuleLoader.load(yaml: ruleText(detection: detection), file: "x.yml")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        return try #require(result.rules.first?.detection.selections[name])
    }

    @Test func mapIsOneAlternativeOfAndedPredicates() throws {
        let selection = try loadSelection("""
            selection:
                _COMM: sshd
                PRIORITY: [3, 4]
            condition: selection
            """)
        #expect(selection.alternatives.count == 1)
        #expect(selection.alternatives[0].map(\.field) == ["_COMM", "PRIORITY"])
        #expect(selection.alternatives[0][1].values == [.string("3"), .string("4")])
    }

    @Test func listOfMapsIsAlternatives() throws {
        let selection = try loadSelection("""
            selection:
                - _COMM: sshd
                - SYSLOG_IDENTIFIER|startswith: sudo
                  MESSAGE: x
            condition: selection
            """)
        #expect(selection.alternatives.count == 2)
        #expect(selection.alternatives[0].map(\.field) == ["_COMM"])
        #expect(selection.alternatives[1].map(\.field) == ["SYSLOG_IDENTIFIER", "MESSAGE"])
        #expect(selection.alternatives[1][0].modifiers == [.startswith])
        #expect(selection.alternatives.flatMap { $0 }.map(\.location.line) == [6, 7, 8])
    }

    @Test func stringAndListOfStringsAreKeywordsOnMessage() throws {
        let list = try loadSelection("""
            keywords:
                - 'event::clear'
                - 'event::drop'
            condition: keywords
            """, named: "keywords")
        #expect(list.alternatives.count == 1)
        let predicate = list.alternatives[0][0]
        #expect(predicate.field == "MESSAGE")
        #expect(predicate.modifiers == [.contains])
        #expect(predicate.values == [.string("event::clear"), .string("event::drop")])
        #expect(!predicate.matchesAll)

        let single = try loadSelection("""
            keyword: 'Failed password'
            condition: keyword
            """, named: "keyword")
        #expect(single.alternatives[0][0].field == "MESSAGE")
        #expect(single.alternatives[0][0].values == [.string("Failed password")])
    }

    @Test func fieldlessAllIsKeywordsThatMustAllMatch() throws {
        let selection = try loadSelection("""
            keywords:
                '|all':
                    - 'OabVirtualDirectory'
                    - ' -ExternalUrl '
            condition: keywords
            """, named: "keywords")
        let predicate = selection.alternatives[0][0]
        #expect(predicate.field == "MESSAGE")
        #expect(predicate.modifiers == [.contains, .all])
        #expect(predicate.matchesAll)
    }

    @Test func scalarsKeepTheirTextAndNullIsNull() throws {
        let selection = try loadSelection("""
            selection:
                A: 0x17
                B: true
                C: null
                D: 'null'
                E: ''
                F: ~
                G: 1.50
            condition: selection
            """)
        #expect(selection.alternatives[0].map(\.values) == [
            [.string("0x17")], [.string("true")], [.null], [.string("null")], [.string("")], [.null], [.string("1.50")],
        ])
    }

    @Test func existsTakesABoolean() throws {
        let selection = try loadSelection("""
            selection:
                A|exists: true
                B|exists: False
            condition: selection
            """)
        #expect(selection.alternatives[0].map(\.modifiers) == [[.exists], [.exists]])
        #expect(selection.alternatives[0].map(\.values) == [[.string("true")], [.string("false")]])
    }

    @Test func modifiersKeepTheirOrder() throws {
        let selection = try loadSelection("""
            selection:
                MESSAGE|cased|endswith|all: [a, b]
            condition: selection
            """)
        #expect(selection.alternatives[0][0].modifiers == [.cased, .endswith, .all])
        #expect(selection.alternatives[0][0].matchesAll)
    }

    @Test func underscoreSelectionsAndUnusedSelectionsLoad() throws {
        let result = RuleLoader.load(yaml: ruleText(detection: """
            selection: {MESSAGE: x}
            _helper: {MESSAGE: y}
            unused: {MESSAGE: z}
            condition: selection
            """), file: "x.yml")
        #expect(result.diagnostics.isEmpty)
        #expect(result.rules.first?.detection.selections.keys.sorted() == ["_helper", "selection", "unused"])
    }
}
