#include "ike/engine/connection.hpp"

namespace vpngw::ike {

std::string status_name(ConnectionStatus status) {
  switch (status) {
    case ConnectionStatus::connecting: return "connecting";
    case ConnectionStatus::connected: return "connected";
    case ConnectionStatus::phase1_failed: return "phase1_failed";
    case ConnectionStatus::phase2_failed: return "phase2_failed";
  }
  return "?";
}

}  // namespace vpngw::ike
