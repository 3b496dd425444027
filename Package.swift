// swift-tools-version:6.1
// gridlink: kiosk and gate events from GPIO, stored durably in SQLite, published over MQTT.
// Layout and guarantees: see README.md and docs/.
import PackageDescription
#if canImport(Glibc)
import Glibc
#endif

/// The library CGPIOD links: `gpiod` (whatever libgpiod.so the system's -dev package provides),
/// or GRIDLINK_LIBGPIOD, which tools/build-gpiod2 sets to `:libgpiod.so.3` so a Debian 12 machine
/// links the cached 2.x library even though libgpiod.so (1.6) sits earlier on the search path.
let libgpiod: String = {
    #if canImport(Glibc)
    if let value = getenv("GRIDLINK_LIBGPIOD") { return String(cString: value) }
    #endif
    return "gpiod"
}()

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "gridlink",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gridlinkd", targets: ["gridlinkd"]),
        .executable(name: "gridlinkctl", targets: ["gridlinkctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Device key and CSR (provision), certificate expiry (check).
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
    ],
    targets: [
        // C libraries: module maps only. Each is called from exactly one Swift owner.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLinux"),  // adjtimex(2), used only by GridLinkDaemon/HostClock.swift
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),
        // libgpiod behind a thin C adapter that compiles for the v1 (1.6) or v2 (2.x) API, whichever
        // <gpiod.h> it finds; called only by Sources/GPIO/Libgpiod. See README "Both libgpiod APIs".
        .target(name: "CGPIOD", linkerSettings: [.linkedLibrary(libgpiod)]),

        // Pure logic: event model, wire schema, config model, input and feedback state machines, backoff.
        .target(name: "GridLinkCore", swiftSettings: strict),
        // The durable queue (owns every sqlite3 handle).
        .target(name: "Outbox", dependencies: ["GridLinkCore", "SQLite"], swiftSettings: strict),
        // The one owner of sqlite3 handles (used by the outbox and the central ledger).
        .target(name: "SQLite", dependencies: ["CSQLite"], swiftSettings: strict),
        // GPIO chip interface and the simulated chip.
        .target(name: "GPIO", dependencies: ["GridLinkCore", "CGPIOD"], swiftSettings: strict),
        // libmosquitto wrapped in a small Swift API (owns every mosquitto handle).
        .target(name: "MQTTClient", dependencies: ["CMosquitto"], swiftSettings: strict),
        // TOML config file -> validated GridLinkCore.DeviceConfig, with file:line errors (own strict TOML parser).
        .target(name: "ConfigFile", dependencies: ["GridLinkCore"], swiftSettings: strict),
        // Local control socket: request/response types, server and client.
        .target(name: "Control", dependencies: ["GridLinkCore"], swiftSettings: strict),
        // The daemon's parts wired together: recorder, uplink, input pipeline, feedback, control handler.
        .target(name: "GridLinkDaemon", dependencies: [
            "GridLinkCore", "Outbox", "GPIO", "MQTTClient", "Control", "CLinux",
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        // Minimal central side: subscribes, de-duplicates on id, answers accepted then done.
        .target(name: "Central", dependencies: ["GridLinkCore", "MQTTClient", "SQLite"], swiftSettings: strict),
        // Device identity: P-256 key, CSR, certificate expiry (swift-crypto / swift-certificates).
        .target(name: "DeviceIdentity", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ], swiftSettings: strict),
        // What a technician runs on site: `gridlinkctl check` and `gridlinkctl provision`.
        .target(name: "Technician", dependencies: [
            "GridLinkCore", "ConfigFile", "MQTTClient", "DeviceIdentity", "GridLinkDaemon", "Control", "GPIO",
        ], swiftSettings: strict),

        .executableTarget(name: "gridlinkd", dependencies: [
            "GridLinkDaemon", "ConfigFile",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        .executableTarget(name: "gridlinkctl", dependencies: [
            "GridLinkCore", "ConfigFile", "Control", "Central", "Technician", "MQTTClient",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),

        .testTarget(name: "GridLinkCoreTests", dependencies: ["GridLinkCore"], swiftSettings: strict),
        .testTarget(name: "GPIOTests", dependencies: ["GPIO", "GridLinkCore"], swiftSettings: strict),
        .testTarget(name: "OutboxTests", dependencies: ["Outbox"], swiftSettings: strict),
        // A child process the crash test SIGKILLs in the middle of appending.
        .executableTarget(name: "outbox-crash-helper", dependencies: ["Outbox"], path: "Tests/OutboxCrashHelper", swiftSettings: strict),
        // Latency and throughput of append (single events and batches of 64); not part of `swift test`.
        .executableTarget(name: "outbox-bench", dependencies: ["Outbox"], path: "Tests/OutboxBench", swiftSettings: strict),
        .testTarget(name: "MQTTClientTests", dependencies: ["MQTTClient", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "ConfigFileTests", dependencies: ["ConfigFile"], resources: [], swiftSettings: strict),
        // The daemon's pipeline in-process with an injected clock (no broker, simulated chip).
        .testTarget(name: "GridLinkDaemonTests", dependencies: ["GridLinkDaemon", "GridLinkCore", "GPIO", "Outbox",
                                                              .product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        .testTarget(name: "EndToEndTests", dependencies: ["GridLinkCore", "MQTTClient", "Central", "TestSupport"], swiftSettings: strict),
        // TLS + ACL against a real mosquitto, `check`, `provision`, certificates made at test time.
        .testTarget(name: "SecurityTests", dependencies: [
            "MQTTClient", "TestSupport", "Technician", "DeviceIdentity", "ConfigFile", "GridLinkCore",
        ], swiftSettings: strict),
        // Test helpers shared by test targets: a real mosquitto on a free loopback port, process spawning.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
    ]
)

// libFuzzer targets (Tests/Fuzz): they call libFuzzer's LLVMFuzzerRunDriver, which only links with
// -sanitize=fuzzer, so they exist only when tools/fuzz builds them (GRIDLINK_FUZZ=1, in .build-fuzz).
#if canImport(Glibc)
if getenv("GRIDLINK_FUZZ") != nil {
    package.targets.append(.target(name: "CFuzzer", path: "Tests/Fuzz/CFuzzer"))
    for (name, dependency) in [("FuzzConfig", "ConfigFile"), ("FuzzAck", "GridLinkCore"), ("FuzzCommand", "GridLinkCore"), ("FuzzControl", "Control")] {
        package.targets.append(.executableTarget(name: name, dependencies: [.target(name: dependency), "CFuzzer"],
                                                 path: "Tests/Fuzz/\(name)", swiftSettings: strict))
    }
}
#endif
