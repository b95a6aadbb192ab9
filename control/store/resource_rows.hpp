// How each resource kind is laid out in the database: which table, which
// human-readable key column, and the JSON body. Tunnels carry their PSK only
// sealed, as "psk_sealed" in the body.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "control/store.hpp"
#include "control/store/secret_box.hpp"

namespace vpngw {

struct TableInfo {
  ResourceKind kind;
  std::string_view table;
  std::string_view key_column;  // name, or for routes the destination
};

// Every kind, in the order load() reads them.
inline constexpr std::array<TableInfo, 6> kTables{{
    {ResourceKind::vpc, "vpcs", "name"},
    {ResourceKind::gateway, "gateways", "name"},
    {ResourceKind::customer_gateway, "customer_gateways", "name"},
    {ResourceKind::tunnel, "tunnels", "name"},
    {ResourceKind::route, "routes", "destination"},
    {ResourceKind::static_sa, "static_sas", "tunnel_id"},
}};

const TableInfo& table_of(ResourceKind kind);
ResourceKind kind_of(const AnyResource& resource);

struct Row {
  std::string id;
  std::string key;  // the value of the table's key_column
  std::string body;
};

// Serialises a resource, sealing a tunnel's PSK. Throws nlohmann::json
// exceptions only on strings that are not UTF-8.
Row encode_row(const AnyResource& resource, const SealingKey& key);

// Parses a row of `kind`'s table into `out`. The error names the table and
// the row id, so an operator knows where to look.
Status decode_row(ResourceKind kind, const std::string& id, const std::string& body,
                  const SealingKey& key, ResourceSnapshot& out);

}  // namespace vpngw
