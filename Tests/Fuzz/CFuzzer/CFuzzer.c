// Header-only: the function is defined by libFuzzer (linked by -sanitize=fuzzer).
#include "CFuzzer.h"
