/*
 * gridlink's thin adapter over libgpiod: one small C API that is the same whether the build found
 * libgpiod 1.6 (v1 API: Debian 12, Raspberry Pi OS bookworm) or libgpiod 2.x (v2 API: Debian 13,
 * Raspberry Pi OS trixie). The preprocessor picks the implementation from the <gpiod.h> the
 * compiler sees (adapter_v1.c or adapter_v2.c), so the same `swift build` works on either system
 * with no flag. Only this target calls gpiod_*; Sources/GPIO/Libgpiod/ is the one Swift caller.
 *
 * Conventions: functions returning int give 0 (or a count / value) on success and -1 with errno
 * set on failure; pointers are NULL on failure with errno set. Values are LOGICAL levels (the
 * kernel applies active-low); edge events say whether the line became active.
 */
#ifndef GRIDLINK_GPIOD_H
#define GRIDLINK_GPIOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gl_gpio_chip gl_gpio_chip;
typedef struct gl_gpio_request gl_gpio_request;

enum gl_gpio_bias { GL_GPIO_BIAS_AS_IS = 0, GL_GPIO_BIAS_DISABLED = 1, GL_GPIO_BIAS_PULL_UP = 2, GL_GPIO_BIAS_PULL_DOWN = 3 };

/** One input line to request with both-edge events. */
typedef struct {
    unsigned int offset;
    int bias;          /* enum gl_gpio_bias */
    bool active_low;
} gl_gpio_input;

/** One edge, copied out of the library's buffer. */
typedef struct {
    unsigned int offset;
    bool active;             /* true: the line became active (rising edge of the logical level) */
    uint64_t timestamp_ns;   /* kernel timestamp, CLOCK_MONOTONIC */
    uint64_t line_seqno;     /* v2: per-line sequence number (gaps = lost events); v1: 0 */
} gl_gpio_event;

/** 1 for the libgpiod 1.x API, 2 for 2.x: which adapter this build compiled. */
int gl_gpio_api_version(void);
/** The library's own version string (gpiod_version_string / gpiod_api_version). */
const char *gl_gpio_library_version(void);

/** Opens a chip by path (/dev/gpiochip0), name (gpiochip0) or label (pinctrl-bcm2711). */
gl_gpio_chip *gl_gpio_chip_open(const char *spec);
void gl_gpio_chip_close(gl_gpio_chip *chip);
/** Copies the chip's name / label into buf (NUL-terminated); 0 or -1. */
int gl_gpio_chip_name(gl_gpio_chip *chip, char *buf, size_t len);
int gl_gpio_chip_label(gl_gpio_chip *chip, char *buf, size_t len);
int gl_gpio_chip_num_lines(gl_gpio_chip *chip);
/** The offset of the line with this name, or -1 (errno ENOENT). */
int gl_gpio_chip_find_line(gl_gpio_chip *chip, const char *name);
/** 1 and the consumer in buf if the line is in use by someone, 0 if free, -1 on error. */
int gl_gpio_line_consumer(gl_gpio_chip *chip, unsigned int offset, char *buf, size_t len);

/** Requests inputs with both-edge events (CLOCK_MONOTONIC timestamps). */
gl_gpio_request *gl_gpio_request_inputs(gl_gpio_chip *chip, const char *consumer, const gl_gpio_input *lines, size_t count);
/** Requests outputs, initially inactive. */
gl_gpio_request *gl_gpio_request_outputs(gl_gpio_chip *chip, const char *consumer, const unsigned int *offsets, size_t count);
/** The file descriptors to poll() for events (v1: one per line, v2: one); returns how many. */
int gl_gpio_request_fds(gl_gpio_request *request, int *fds, size_t max);
/** Reads up to max pending events from fd (call after poll() says it is readable); count or -1. */
int gl_gpio_request_read_events(gl_gpio_request *request, int fd, gl_gpio_event *events, size_t max);
/** The logical level of one requested line: 1, 0 or -1. */
int gl_gpio_request_get_value(gl_gpio_request *request, unsigned int offset);
int gl_gpio_request_set_value(gl_gpio_request *request, unsigned int offset, int value);
void gl_gpio_request_release(gl_gpio_request *request);

#endif
