import Testing
@testable import Respond
