#include "control/peer_config/peer_config.hpp"

#include <array>

#include "control/peer_config/customer_view.hpp"
#include "control/peer_config/renderers.hpp"

namespace vpngw {

namespace {

struct VendorForm {
  std::string_view vendor;
  std::string_view file_suffix;  // the download is named <tunnel id><suffix>
  std::string (*render)(const CustomerView&);
};

constexpr std::array<VendorForm, 7> kForms{{
    {"strongswan", "-ipsec.conf", render_strongswan_ipsec_conf},
    {"swanctl", "-swanctl.conf", render_swanctl_conf},
    {"cisco-ios", "-cisco-ios.txt", render_cisco_ios},
    {"juniper-srx", "-juniper-srx.conf", render_juniper_srx},
    {"fortinet", "-fortinet.conf", render_fortinet},
    {"huawei", "-huawei.cfg", render_huawei},
    {"h3c", "-h3c.cfg", render_h3c},
}};

std::string vendor_choices() {
  std::string out;
  for (const VendorForm& f : kForms) {
    if (!out.empty()) out += ", ";
    out += f.vendor;
  }
  return out;
}

}  // namespace

Result<RenderedConfig> render_peer_config(const PeerConfigInput& in, std::string_view vendor) {
  for (const VendorForm& f : kForms) {
    if (f.vendor != vendor) continue;
    CustomerView view = customer_view(in);
    return RenderedConfig{std::string(f.vendor), in.tunnel.id + std::string(f.file_suffix),
                          f.render(view)};
  }
  return invalid("vendor", "must be one of " + vendor_choices());
}

std::vector<std::string> peer_config_vendors() {
  std::vector<std::string> out;
  for (const VendorForm& f : kForms) out.emplace_back(f.vendor);
  return out;
}

}  // namespace vpngw
