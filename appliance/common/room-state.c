#include "room-state.h"
