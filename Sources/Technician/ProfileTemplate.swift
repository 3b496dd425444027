/// The device.toml that `gridlinkctl provision` writes: the kiosk, gate or demo profile with this
/// device's identity, broker and certificate paths filled in. Mirrors device-config/*.toml.
public enum ProfileTemplate {
    public static let profiles = ["kiosk", "gate", "demo"]

    public static func render(_ settings: ProvisionSettings, etcDir: String) -> String {
        let tls = settings.tls
        var text = """
            # gridlink \(settings.profile) profile, written by gridlinkctl provision. Reference: docs/config.md
            # Check with: gridlinkctl config validate \(etcDir)/device.toml
            site = "\(settings.site)"
            device = "\(settings.device)"
            profile = "\(settings.profile)"

            [paths]
            state_dir = "/var/lib/gridlink"
            control_socket = "/run/gridlink/gridlinkd.sock"

            [broker]
            host = "\(settings.host)"
            port = \(settings.port)
            keepalive_s = 30
            tls = \(tls)

            """
        if tls {
            text += """
                ca_file = "\(etcDir)/ca.pem"
                cert_file = "\(etcDir)/device.crt"
                key_file = "\(etcDir)/device.key"

                """
        }
        text += """

            [uplink]
            inflight_window = 32
            backoff_initial_ms = 500
            backoff_max_ms = 60000

            [gpio]
            chip = "\(settings.profile == "demo" ? "sim" : "gpiochip0")"
            debounce_ms = 30
            long_press_ms = 1500
            stuck_ms = 30000

            """
        if settings.profile == "gate" {
            text += """

                [gate]
                authorised_window_ms = 5000
                held_open_ms = 30000

                [gate.door]
                line = 4
                active_low = false

                [gate.release]
                line = 5

                [gate.exit_request]
                line = 6
                active_low = true

                """
        } else {
            text += """

                [[button]]
                name = "proxy"
                line = 17
                kind = "request.proxy"
                active_low = true

                [[button]]
                name = "repair"
                line = 27
                kind = "request.repair"
                active_low = true

                [feedback]
                received_line = 22
                accepted_line = 23
                done_line = 24

                """
        }
        return text
    }
}
