// One renderer per vendor form, each in its own render_<vendor>.cpp. They
// only format: every decision about which side is which lives in
// customer_view.cpp, every algorithm spelling in algorithm_names.cpp.
#pragma once

#include <string>

#include "control/peer_config/customer_view.hpp"

namespace vpngw {

std::string render_strongswan_ipsec_conf(const CustomerView& v);
std::string render_swanctl_conf(const CustomerView& v);
std::string render_cisco_ios(const CustomerView& v);
std::string render_juniper_srx(const CustomerView& v);
std::string render_fortinet(const CustomerView& v);
std::string render_huawei(const CustomerView& v);
std::string render_h3c(const CustomerView& v);

}  // namespace vpngw
