// Linux kernel interfaces Glibc's Swift module does not export: adjtimex(2) for the NTP sync state.
#include <sys/timex.h>
