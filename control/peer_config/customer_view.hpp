// The tunnel as the customer's device sees it. vpngw stores addresses, SPD
// rules and identities from its own side; every renderer needs them the other
// way round, so the swap is written once, here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/model.hpp"
#include "control/peer_config/peer_config.hpp"

namespace vpngw {

// One SPD rule from the customer's side.
struct CustomerSelector {
  std::vector<Cidr> local;  // our rule's peer CIDRs: the customer's own subnets
  Cidr remote;              // our rule's local CIDR: the VPC subnet behind vpngw
};

// One child SA / crypto ACL / proxy-id of the customer's configuration.
struct CustomerChild {
  std::string suffix;       // "2" for the second SPD rule, "2-3" for its third peer CIDR
  std::vector<Cidr> local;  // the customer's subnets this child carries
  Cidr remote;              // the VPC subnet
};

// How many subnet pairs one child may carry. IKEv1 quick mode, Junos traffic
// selectors and FortiOS phase 2 selectors hold exactly one local/remote pair,
// so those forms split an SPD rule with several peer CIDRs into one child per
// peer CIDR; IKEv2 and crypto ACLs take the whole rule.
enum class ChildSplit { per_rule, per_pair };

// A child SA whose selectors are lists on both sides, the shape of a child
// in the strongSwan forms (swanctl local_ts/remote_ts, ipsec.conf
// leftsubnet/rightsubnet).
struct CustomerChildSa {
  std::string suffix;        // as CustomerChild's
  std::vector<Cidr> local;   // the customer's subnets
  std::vector<Cidr> remote;  // the VPC subnets
};

struct CustomerView {
  const Tunnel& tunnel;
  const VpnGateway& gateway;
  const CustomerGateway& customer_gateway;
  // nullopt when the customer gateway is 0.0.0.0: the device sits behind NAT
  // with a changing address, so its configuration must not pin one.
  std::optional<Ipv4Addr> local_address;
  Ipv4Addr remote_address;  // our gateway's public IP
  // Our ike.remote_id, else the customer gateway's IP. Empty only for a
  // 0.0.0.0 customer gateway without a remote_id, which validation refuses.
  Identity local_id;
  Identity remote_id;  // our ike.local_id, else our gateway's public IP
  std::vector<CustomerSelector> selectors;  // one per SPD rule, same order
  StartAction start_action;                 // what the customer's device should do

  const IkePolicy& ike() const { return tunnel.ike; }
  const IpsecPolicy& ipsec() const { return tunnel.ipsec; }
  const DpdSettings& dpd() const { return tunnel.dpd; }
  bool ikev1() const { return tunnel.ike.version == IkeVersion::ikev1; }
};

CustomerView customer_view(const PeerConfigInput& in);

// The children in SPD rule order.
std::vector<CustomerChild> customer_children(const CustomerView& v, ChildSplit split);

// The child SAs vpngw negotiates for the tunnel, for forms that can put every
// one of them in a child of its own. IKEv2: exactly ONE, suffix "1" (the name
// a one-rule tunnel's child has in every form), with local = every rule's peer
// CIDRs and remote = every rule's local CIDR, each list deduplicated and in
// rule order. vpngw's engine carries all of a tunnel's SPD rules in one
// CHILD_SA and refuses a second one with NO_ADDITIONAL_SAS (docs/ike.md,
// "Tunnels"), so a customer child per rule would leave all but the first
// down. IKEv1: one per subnet pair, as customer_children(per_pair), since a
// quick mode negotiates one pair.
std::vector<CustomerChildSa> customer_child_sas(const CustomerView& v);

// The opening comment block of every rendered file: tunnel id and name, that
// vpngw generated it, which side is which, and that it holds the PSK.
// `prefix` is the vendor's comment marker ("#", "!").
std::string header_comment(const CustomerView& v, std::string_view product,
                           std::string_view prefix);

}  // namespace vpngw
