import MQTTClient
import Testing

/// Issue 9 item 5: keepalive loss was logged as "Unknown error (code 19)" because Debian 12's
/// libmosquitto has no text for codes newer than itself.
@Suite struct MQTTErrorTextTests {
    @Test func everyMosquittoCodeHasItsOwnText() {
        for code in Int32(1)...31 where code != 14 {  // 14: errno, whose text strerror gives
            let text = MQTTError.text(forMosquittoCode: code)
            #expect(!text.contains("Unknown error"), "code \(code): \(text)")
            #expect(!text.isEmpty)
        }
    }

    @Test func keepaliveLossSaysSo() {
        #expect(MQTTError.text(forMosquittoCode: 19).contains("keepalive"))
    }
}
