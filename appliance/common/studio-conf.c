#include "studio-conf.h"
