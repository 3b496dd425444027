/* gridlink_gpiod.h on libgpiod 2.x (v2 API). One kernel request per call, one fd for all its
 * lines; per-line settings carry bias and active-low; events carry per-line sequence numbers. */
#include "api_detect.h"
#if GL_GPIOD_API == 2
#include "gridlink_gpiod.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { GL_EVENT_BUFFER = 64 };

struct gl_gpio_chip { struct gpiod_chip *chip; };
struct gl_gpio_request {
    struct gpiod_line_request *request;
    struct gpiod_edge_event_buffer *buffer; /* inputs only */
};

int gl_gpio_api_version(void) { return 2; }
const char *gl_gpio_library_version(void) { return gpiod_api_version(); }

static struct gpiod_chip *open_path(const char *path) {
    return gpiod_is_gpiochip_device(path) ? gpiod_chip_open(path) : NULL;
}

/* v2 opens by path only; gridlink also accepts a name (gpiochip0) or a label, as v1 did. */
gl_gpio_chip *gl_gpio_chip_open(const char *spec) {
    struct gpiod_chip *raw = NULL;
    char path[300];
    if (spec[0] == '/') {
        raw = open_path(spec);
    } else {
        snprintf(path, sizeof path, "/dev/%s", spec);
        raw = open_path(path);
        DIR *dir = raw ? NULL : opendir("/dev");
        struct dirent *entry;
        while (dir && !raw && (entry = readdir(dir))) {
            if (strncmp(entry->d_name, "gpiochip", 8) != 0) continue;
            snprintf(path, sizeof path, "/dev/%s", entry->d_name);
            struct gpiod_chip *candidate = open_path(path);
            struct gpiod_chip_info *info = candidate ? gpiod_chip_get_info(candidate) : NULL;
            if (info && strcmp(gpiod_chip_info_get_label(info), spec) == 0) raw = candidate;
            else if (candidate) gpiod_chip_close(candidate);
            if (info) gpiod_chip_info_free(info);
        }
        if (dir) closedir(dir);
    }
    if (!raw) { errno = ENOENT; return NULL; }
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

static int info_string(gl_gpio_chip *chip, bool label, char *buf, size_t len) {
    struct gpiod_chip_info *info = gpiod_chip_get_info(chip->chip);
    if (!info) return -1;
    snprintf(buf, len, "%s", label ? gpiod_chip_info_get_label(info) : gpiod_chip_info_get_name(info));
    gpiod_chip_info_free(info);
    return 0;
}

int gl_gpio_chip_name(gl_gpio_chip *chip, char *buf, size_t len) { return info_string(chip, false, buf, len); }
int gl_gpio_chip_label(gl_gpio_chip *chip, char *buf, size_t len) { return info_string(chip, true, buf, len); }

int gl_gpio_chip_num_lines(gl_gpio_chip *chip) {
    struct gpiod_chip_info *info = gpiod_chip_get_info(chip->chip);
    if (!info) return -1;
    int n = (int)gpiod_chip_info_get_num_lines(info);
    gpiod_chip_info_free(info);
    return n;
}

int gl_gpio_chip_find_line(gl_gpio_chip *chip, const char *name) {
    int offset = gpiod_chip_get_line_offset_from_name(chip->chip, name);
    if (offset < 0 && !errno) errno = ENOENT;
    return offset;
}

int gl_gpio_line_consumer(gl_gpio_chip *chip, unsigned int offset, char *buf, size_t len) {
    struct gpiod_line_info *info = gpiod_chip_get_line_info(chip->chip, offset);
    if (!info) return -1;
    int used = gpiod_line_info_is_used(info) ? 1 : 0;
    const char *consumer = gpiod_line_info_get_consumer(info);
    snprintf(buf, len, "%s", consumer ? consumer : "");
    gpiod_line_info_free(info);
    return used;
}

static enum gpiod_line_bias bias_of(int bias) {
    switch (bias) {
    case GL_GPIO_BIAS_DISABLED: return GPIOD_LINE_BIAS_DISABLED;
    case GL_GPIO_BIAS_PULL_UP: return GPIOD_LINE_BIAS_PULL_UP;
    case GL_GPIO_BIAS_PULL_DOWN: return GPIOD_LINE_BIAS_PULL_DOWN;
    default: return GPIOD_LINE_BIAS_AS_IS;
    }
}

/* Builds the line config with `settings` applied per line (configure is called for each line). */
static gl_gpio_request *request_lines(gl_gpio_chip *chip, const char *consumer, size_t count, bool inputs,
                                      const gl_gpio_input *in, const unsigned int *out) {
    struct gpiod_line_config *config = gpiod_line_config_new();
    struct gpiod_request_config *request_config = gpiod_request_config_new();
    gl_gpio_request *request = calloc(1, sizeof *request);
    int ok = config && request_config && request;
    for (size_t i = 0; ok && i < count; i++) {
        struct gpiod_line_settings *settings = gpiod_line_settings_new();
        unsigned int offset = inputs ? in[i].offset : out[i];
        ok = settings != NULL;
        if (ok && inputs) {
            ok = gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_INPUT) == 0
              && gpiod_line_settings_set_edge_detection(settings, GPIOD_LINE_EDGE_BOTH) == 0
              && gpiod_line_settings_set_bias(settings, bias_of(in[i].bias)) == 0
              && gpiod_line_settings_set_event_clock(settings, GPIOD_LINE_CLOCK_MONOTONIC) == 0;
            if (ok) gpiod_line_settings_set_active_low(settings, in[i].active_low);
        } else if (ok) {
            ok = gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_OUTPUT) == 0
              && gpiod_line_settings_set_output_value(settings, GPIOD_LINE_VALUE_INACTIVE) == 0;
        }
        ok = ok && gpiod_line_config_add_line_settings(config, &offset, 1, settings) == 0;
        if (settings) gpiod_line_settings_free(settings);
    }
    if (ok) {
        gpiod_request_config_set_consumer(request_config, consumer);
        request->request = gpiod_chip_request_lines(chip->chip, request_config, config);
        ok = request->request != NULL;
    }
    if (ok && inputs) {
        request->buffer = gpiod_edge_event_buffer_new(GL_EVENT_BUFFER);
        ok = request->buffer != NULL;
    }
    int saved = errno;
    if (config) gpiod_line_config_free(config);
    if (request_config) gpiod_request_config_free(request_config);
    if (!ok) {
        gl_gpio_request_release(request);
        errno = saved ? saved : ENOMEM;
        return NULL;
    }
    return request;
}

gl_gpio_request *gl_gpio_request_inputs(gl_gpio_chip *chip, const char *consumer, const gl_gpio_input *lines, size_t count) {
    if (count == 0) { errno = EINVAL; return NULL; }
    return request_lines(chip, consumer, count, true, lines, NULL);
}

gl_gpio_request *gl_gpio_request_outputs(gl_gpio_chip *chip, const char *consumer, const unsigned int *offsets, size_t count) {
    if (count == 0) { errno = EINVAL; return NULL; }
    return request_lines(chip, consumer, count, false, NULL, offsets);
}

int gl_gpio_request_fds(gl_gpio_request *request, int *fds, size_t max) {
    if (max < 1) return 0;
    fds[0] = gpiod_line_request_get_fd(request->request);
    return fds[0] >= 0 ? 1 : 0;
}

int gl_gpio_request_read_events(gl_gpio_request *request, int fd, gl_gpio_event *events, size_t max) {
    (void)fd;
    if (!request->buffer) { errno = EINVAL; return -1; }
    if (max > GL_EVENT_BUFFER) max = GL_EVENT_BUFFER;
    int n = gpiod_line_request_read_edge_events(request->request, request->buffer, max);
    for (int i = 0; i < n; i++) {
        struct gpiod_edge_event *event = gpiod_edge_event_buffer_get_event(request->buffer, (unsigned long)i);
        events[i].offset = gpiod_edge_event_get_line_offset(event);
        events[i].active = gpiod_edge_event_get_event_type(event) == GPIOD_EDGE_EVENT_RISING_EDGE;
        events[i].timestamp_ns = gpiod_edge_event_get_timestamp_ns(event);
        events[i].line_seqno = gpiod_edge_event_get_line_seqno(event);
    }
    return n;
}

int gl_gpio_request_get_value(gl_gpio_request *request, unsigned int offset) {
    enum gpiod_line_value value = gpiod_line_request_get_value(request->request, offset);
    return value == GPIOD_LINE_VALUE_ERROR ? -1 : (value == GPIOD_LINE_VALUE_ACTIVE);
}

int gl_gpio_request_set_value(gl_gpio_request *request, unsigned int offset, int value) {
    return gpiod_line_request_set_value(request->request, offset, value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
}

void gl_gpio_request_release(gl_gpio_request *request) {
    if (!request) return;
    if (request->buffer) gpiod_edge_event_buffer_free(request->buffer);
    if (request->request) gpiod_line_request_release(request->request);
    free(request);
}
#endif
