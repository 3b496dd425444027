/* Which libgpiod API the <gpiod.h> on the include path declares. Only 1.x defines
 * GPIOD_LINE_BULK_MAX_LINES (the v1 "line bulk" object is gone in 2.x). */
#ifndef GRIDLINK_GPIOD_API_DETECT_H
#define GRIDLINK_GPIOD_API_DETECT_H
#include <gpiod.h>
#ifdef GPIOD_LINE_BULK_MAX_LINES
#define GL_GPIOD_API 1
#else
#define GL_GPIOD_API 2
#endif
#endif
