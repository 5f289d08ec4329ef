/* log.c — placeholder until the logger lands. */
#include "config.h"
#include "log.h"
enum xl_log_level xl_log_get_level(void) { return XL_LOG_INFO; }
