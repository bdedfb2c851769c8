import CSystemd
import Glibc

extension Journal {
    /// Ends the current group of matches and starts another, ORed with it: from now on an entry is
    /// read when it passes the matches before this call or the matches after it
    /// (`sd_journal_add_disjunction`).
    public func addDisjunction() throws(JournalError) {
        try check("sd_journal_add_disjunction", sd_journal_add_disjunction(handle))
    }

    /// Ends the current group of matches and starts another, ANDed with it
    /// (`sd_journal_add_conjunction`).
    public func addConjunction() throws(JournalError) {
        try check("sd_journal_add_conjunction", sd_journal_add_conjunction(handle))
    }
}
