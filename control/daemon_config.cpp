#include "control/daemon_config.hpp"
