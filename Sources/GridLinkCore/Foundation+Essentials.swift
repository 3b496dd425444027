// GridLinkCore needs only JSON coding and Data from Foundation. FoundationEssentials has both and
// no ICU, which keeps the daemon small on a board; fall back to Foundation where it is absent.
#if canImport(FoundationEssentials)
@_exported import FoundationEssentials
#else
@_exported import Foundation
#endif
