import GridLinkCore
import Testing

@Suite struct LogLineTests {
    @Test func levelsMapToSyslogPriorities() {
        let mapped = ["trace", "debug", "info", "notice", "warning", "error", "critical"].map { SyslogPriority(levelName: $0).rawValue }
        #expect(mapped == [7, 7, 6, 5, 4, 3, 2])
    }

    @Test func journalLinesCarryThePriorityPrefixAndNoTimestamp() {
        let line = LogLineFormat.journal.line(timestamp: "2026-11-23T08:00:00+0000", levelName: "warning", label: "gridlinkd",
                                              metadata: nil, message: "uplink: connection to 10.0.0.5:8883 lost")
        #expect(line == "<4>uplink: connection to 10.0.0.5:8883 lost")
    }

    @Test func consoleLinesLookLikeSwiftLogsStreamHandler() {
        let line = LogLineFormat.console.line(timestamp: "2026-11-23T08:00:00+0000", levelName: "info", label: "gridlinkd",
                                              metadata: "seq=4", message: "input: proxy short press")
        #expect(line == "2026-11-23T08:00:00+0000 info gridlinkd : seq=4 input: proxy short press")
    }

    @Test func aMultiLineMessageStaysOneJournalEntry() {
        let line = LogLineFormat.journal.line(timestamp: "", levelName: "error", label: "gridlinkd", metadata: nil,
                                              message: "outbox: cannot store\ndisk I/O error\n")
        #expect(line == "<3>outbox: cannot store | disk I/O error")
    }

    @Test func repeatedSummary() {
        #expect(LogLineFormat.repeated("broker refused", count: 1) == "broker refused (repeated 1 time since last written)")
        #expect(LogLineFormat.repeated("broker refused", count: 12) == "broker refused (repeated 12 times since last written)")
    }
}

@Suite struct LogRedactionTests {
    @Test func passwordLikeValuesAreMasked() {
        #expect(LogRedaction.redact("connect user=kiosk password=hunter2 host=b") == "connect user=kiosk password=[redacted] host=b")
        #expect(LogRedaction.redact(#"{"user":"k","passphrase": "s3cr3t, really","x":1}"#) == #"{"user":"k","passphrase": "[redacted]","x":1}"#)
        #expect(LogRedaction.redact("mqtt_password: abc;next") == "mqtt_password: [redacted];next")
        #expect(LogRedaction.redact("Token=abc&x=1") == "Token=[redacted]&x=1")
    }

    @Test func privateKeysAreMaskedWholeButCertificatesStay() {
        let text = "bad key -----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY----- in /etc/gridlink/device.key"
        #expect(LogRedaction.redact(text) == "bad key [redacted] in /etc/gridlink/device.key")
        let cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
        #expect(LogRedaction.redact(cert) == cert)
        #expect(LogRedaction.redact("truncated -----BEGIN PRIVATE KEY-----\nMIIE") == "truncated [redacted]")
    }

    @Test func ordinaryLinesAreUntouched() {
        for line in ["broker refused: not authorised (wrong password?)", "mysecret=1 is not a key of ours", "tokens=3", "uplink: connected"] {
            #expect(LogRedaction.redact(line) == line)
        }
    }
}
