/* gridlink_gpiod.h on libgpiod 1.6 (v1 API). Each input line is its own kernel line-event request
 * (one fd per line): the v1 uAPI cannot give lines of one request different bias flags. */
#include "api_detect.h"
#if GL_GPIOD_API == 1
#include "gridlink_gpiod.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gl_gpio_chip { struct gpiod_chip *chip; };
struct gl_gpio_request {
    size_t count;
    struct gpiod_line *lines[GPIOD_LINE_BULK_MAX_LINES];
    unsigned int offsets[GPIOD_LINE_BULK_MAX_LINES];
};

int gl_gpio_api_version(void) { return 1; }
const char *gl_gpio_library_version(void) { return gpiod_version_string(); }

gl_gpio_chip *gl_gpio_chip_open(const char *spec) {
    struct gpiod_chip *raw = gpiod_chip_open_lookup(spec); /* number, name, path or label */
    if (!raw) { if (!errno) errno = ENOENT; return NULL; }
    gl_gpio_chip *chip = calloc(1, sizeof *chip);
    if (!chip) { gpiod_chip_close(raw); errno = ENOMEM; return NULL; }
    chip->chip = raw;
    return chip;
}

void gl_gpio_chip_close(gl_gpio_chip *chip) {
    if (!chip) return;
    gpiod_chip_close(chip->chip);
    free(chip);
}

static int copy_string(const char *value, char *buf, size_t len) {
    if (!buf || len == 0) { errno = EINVAL; return -1; }
    snprintf(buf, len, "%s", value ? value : "");
    return 0;
}

int gl_gpio_chip_name(gl_gpio_chip *chip, char *buf, size_t len) { return copy_string(gpiod_chip_name(chip->chip), buf, len); }
int gl_gpio_chip_label(gl_gpio_chip *chip, char *buf, size_t len) { return copy_string(gpiod_chip_label(chip->chip), buf, len); }
int gl_gpio_chip_num_lines(gl_gpio_chip *chip) { return (int)gpiod_chip_num_lines(chip->chip); }

int gl_gpio_chip_find_line(gl_gpio_chip *chip, const char *name) {
    struct gpiod_line *line = gpiod_chip_find_line(chip->chip, name);
    if (!line) { if (!errno) errno = ENOENT; return -1; }
    return (int)gpiod_line_offset(line);
}

int gl_gpio_line_consumer(gl_gpio_chip *chip, unsigned int offset, char *buf, size_t len) {
    struct gpiod_line *line = gpiod_chip_get_line(chip->chip, offset);
    if (!line || gpiod_line_update(line) < 0) return -1;
    if (!gpiod_line_is_used(line)) return 0;
    copy_string(gpiod_line_consumer(line), buf, len);
    return 1;
}

static int bias_flags(int bias) {
    switch (bias) {
    case GL_GPIO_BIAS_DISABLED: return GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE;
    case GL_GPIO_BIAS_PULL_UP: return GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
    case GL_GPIO_BIAS_PULL_DOWN: return GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
    default: return 0;
    }
}

static gl_gpio_request *new_request(size_t count) {
    if (count == 0 || count > GPIOD_LINE_BULK_MAX_LINES) { errno = EINVAL; return NULL; }
    gl_gpio_request *request = calloc(1, sizeof *request);
    if (!request) errno = ENOMEM;
    return request;
}

gl_gpio_request *gl_gpio_request_inputs(gl_gpio_chip *chip, const char *consumer, const gl_gpio_input *lines, size_t count) {
    gl_gpio_request *request = new_request(count);
    if (!request) return NULL;
    for (size_t i = 0; i < count; i++) {
        struct gpiod_line *line = gpiod_chip_get_line(chip->chip, lines[i].offset);
        int flags = bias_flags(lines[i].bias) | (lines[i].active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0);
        if (!line || gpiod_line_request_both_edges_events_flags(line, consumer, flags) < 0) {
            int saved = errno;
            gl_gpio_request_release(request);
            errno = saved;
            return NULL;
        }
        request->lines[request->count] = line;
        request->offsets[request->count] = lines[i].offset;
        request->count++;
    }
    return request;
}

gl_gpio_request *gl_gpio_request_outputs(gl_gpio_chip *chip, const char *consumer, const unsigned int *offsets, size_t count) {
    gl_gpio_request *request = new_request(count);
    if (!request) return NULL;
    for (size_t i = 0; i < count; i++) {
        struct gpiod_line *line = gpiod_chip_get_line(chip->chip, offsets[i]);
        if (!line || gpiod_line_request_output(line, consumer, 0) < 0) {
            int saved = errno;
            gl_gpio_request_release(request);
            errno = saved;
            return NULL;
        }
        request->lines[request->count] = line;
        request->offsets[request->count] = offsets[i];
        request->count++;
    }
    return request;
}

int gl_gpio_request_fds(gl_gpio_request *request, int *fds, size_t max) {
    size_t n = 0;
    for (size_t i = 0; i < request->count && n < max; i++) {
        int fd = gpiod_line_event_get_fd(request->lines[i]);
        if (fd >= 0) fds[n++] = fd;
    }
    return (int)n;
}

int gl_gpio_request_read_events(gl_gpio_request *request, int fd, gl_gpio_event *events, size_t max) {
    size_t index = 0;
    while (index < request->count && gpiod_line_event_get_fd(request->lines[index]) != fd) index++;
    if (index == request->count) { errno = EBADF; return -1; }
    struct gpiod_line_event raw[16];
    if (max > 16) max = 16;
    int n = gpiod_line_event_read_fd_multiple(fd, raw, (unsigned int)max);
    for (int i = 0; i < n; i++) {
        events[i].offset = request->offsets[index];
        events[i].active = raw[i].event_type == GPIOD_LINE_EVENT_RISING_EDGE;
        events[i].timestamp_ns = (uint64_t)raw[i].ts.tv_sec * 1000000000u + (uint64_t)raw[i].ts.tv_nsec;
        events[i].line_seqno = 0;
    }
    return n;
}

static struct gpiod_line *line_for(gl_gpio_request *request, unsigned int offset) {
    for (size_t i = 0; i < request->count; i++)
        if (request->offsets[i] == offset) return request->lines[i];
    errno = EINVAL;
    return NULL;
}

int gl_gpio_request_get_value(gl_gpio_request *request, unsigned int offset) {
    struct gpiod_line *line = line_for(request, offset);
    return line ? gpiod_line_get_value(line) : -1;
}

int gl_gpio_request_set_value(gl_gpio_request *request, unsigned int offset, int value) {
    struct gpiod_line *line = line_for(request, offset);
    return line ? gpiod_line_set_value(line, value) : -1;
}

void gl_gpio_request_release(gl_gpio_request *request) {
    if (!request) return;
    for (size_t i = 0; i < request->count; i++) gpiod_line_release(request->lines[i]);
    free(request);
}
#endif
