#include "ike/engine/tasks/task.hpp"

namespace vpngw::ike {

const NotifyPayload* first_error(const Message& message) {
  for (const NotifyPayload* n : message.notifies())
    if (is_error(n->type)) return n;
  return nullptr;
}

}  // namespace vpngw::ike
