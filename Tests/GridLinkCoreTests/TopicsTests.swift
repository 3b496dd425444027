import GridLinkCore
import Testing

@Suite struct TopicsTests {
    @Test func eventTopicsUseSlashesNeverDots() {
        let topics = Topics(site: "hongmiao-grid-03", device: "kiosk-hall-1")
        #expect(topics.event(.requestRepair) == "gridlink/v1/hongmiao-grid-03/kiosk-hall-1/events/request/repair")
        #expect(topics.event(.gateForcedOpen) == "gridlink/v1/hongmiao-grid-03/kiosk-hall-1/events/gate/forced_open")
        for kind in EventKind.known { #expect(!topics.event(kind).contains(".")) }
        #expect(topics.ack == "gridlink/v1/hongmiao-grid-03/kiosk-hall-1/ack")
        #expect(Topics.ackTopic(forEventTopic: topics.event(.requestProxy)) == topics.ack)
        #expect(Topics.ackTopic(forEventTopic: "other/topic") == nil)
    }

    @Test func topicSafeIdentifiers() {
        #expect(DeviceConfig.isTopicSafe("kiosk-hall_1"))
        for bad in ["", "Kiosk", "a.b", "a/b", "a+b", "a#", "中文", String(repeating: "a", count: 65)] {
            #expect(!DeviceConfig.isTopicSafe(bad), "\(bad)")
        }
    }
}
