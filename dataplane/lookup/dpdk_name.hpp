// DPDK objects such as LPM tables and ACL contexts live in one name space per
// process, and rte_acl_create() even hands back an existing context with the
// same name. A table being replaced coexists with its successor, so every
// table gets a fresh name.
#pragma once

#include <string>
#include <string_view>

namespace vpngw::dataplane {

// "<prefix>-<n>" with n unique within the process; keep the prefix short,
// DPDK truncates names at 32 characters.
std::string unique_dpdk_name(std::string_view prefix);

}  // namespace vpngw::dataplane
