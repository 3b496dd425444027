/// The pull resistor the kernel applies to an input line (`bias` in a button's config).
///
/// `asIs` leaves whatever the board's firmware or device tree set up; the others are requested
/// from the GPIO driver with the line (drivers without bias support refuse the request).
public enum LineBias: String, Sendable, Equatable, CaseIterable {
    case asIs = "as-is"
    case pullUp = "pull-up"
    case pullDown = "pull-down"
    case disabled = "disabled"
}
