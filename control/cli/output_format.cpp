#include "control/cli/output_format.hpp"

#include <algorithm>
#include <array>
#include <ctime>
#include <span>

#include "control/model_json.hpp"

namespace vpngw::cli {
namespace {

struct Column {
  std::string_view header;
  std::string_view key;
};

constexpr std::array kVpcColumns{Column{"ID", "id"}, Column{"NAME", "name"},
                                 Column{"CIDRS", "cidrs"},
                                 Column{"ROUTE-TABLE", "route_table_id"}};
constexpr std::array kGatewayColumns{Column{"ID", "id"}, Column{"NAME", "name"},
                                     Column{"VPC", "vpc_id"}, Column{"PUBLIC-IP", "public_ip"},
                                     Column{"BANDWIDTH", "bandwidth"},
                                     Column{"STATUS", "status"}};
constexpr std::array kCustomerGatewayColumns{Column{"ID", "id"}, Column{"NAME", "name"},
                                             Column{"PUBLIC-IP", "public_ip"}};
constexpr std::array kTunnelColumns{Column{"ID", "id"},
                                    Column{"NAME", "name"},
                                    Column{"GATEWAY", "gateway_id"},
                                    Column{"CUSTOMER-GATEWAY", "customer_gateway_id"},
                                    Column{"STATUS", "status"},
                                    Column{"CONNECTION", "connection_status"}};
constexpr std::array kRouteColumns{Column{"ID", "id"}, Column{"VPC", "vpc_id"},
                                   Column{"DESTINATION", "destination"},
                                   Column{"GATEWAY", "gateway_id"},
                                   Column{"ORIGIN", "origin"}};
constexpr std::array kSaColumns{Column{"ID", "id"}, Column{"TUNNEL", "tunnel_id"},
                                Column{"DIRECTION", "direction"}, Column{"SPI", "spi"},
                                Column{"ENCRYPTION", "encryption"}, Column{"INTEGRITY", "integrity"},
                                Column{"UDP-ENCAP", "udp_encap"}};

// The order an operator reads a resource in: identity, state, placement,
// policy, age. The same names recur at every level ("version" both of the
// daemon and of IKE), so one list orders nested objects too. Fields not
// named here follow in the order the daemon sent them.
constexpr auto kFieldOrder = std::to_array<std::string_view>({
    "id", "name", "status", "connection_status", "connection_reason",
    "vpc_id", "cidrs", "route_table_id", "public_ip", "bandwidth",
    "gateway_id", "customer_gateway_id", "destination", "tunnel_id", "origin",
    "direction", "spi", "udp_encap", "replay_window",
    "psk", "spd", "ike", "ipsec", "dpd", "start_action", "auto_route",
    "version", "mode", "encryption", "integrity", "dh_group", "pfs",
    "lifetime", "lifetime_kb", "esn", "local_id", "remote_id",
    "delay", "timeout", "action", "created_at"});

size_t field_rank(std::string_view name) {
  const auto it = std::find(kFieldOrder.begin(), kFieldOrder.end(), name);
  return static_cast<size_t>(it - kFieldOrder.begin());  // unknown: after all known
}

constexpr std::array kNeighbourColumns{Column{"PORT", "port"}, Column{"IP", "ip"}, Column{"MAC", "mac"},
                                       Column{"STATE", "state"}, Column{"AGE_S", "age_s"},
                                       Column{"PERMANENT", "permanent"}};

std::span<const Column> columns_for(std::string_view op) {
  const auto resource = op.substr(0, op.find('.'));
  if (resource == "vpc") return kVpcColumns;
  if (resource == "gateway") return kGatewayColumns;
  if (resource == "customer_gateway") return kCustomerGatewayColumns;
  if (resource == "tunnel") return kTunnelColumns;
  if (resource == "route") return kRouteColumns;
  if (resource == "sa") return kSaColumns;
  if (resource == "neighbour") return kNeighbourColumns;
  return {};
}

std::string utc_time(int64_t unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return std::to_string(unix_seconds);
  std::array<char, 32> text{};
  const size_t n = std::strftime(text.data(), text.size(), "%Y-%m-%d %H:%M:%S UTC", &tm);
  return std::string(text.data(), n);
}

bool is_scalar(const OrderedJson& value) { return !value.is_object() && !value.is_array(); }

// One plain value as text. `key` is the field's own name: some fields read
// better with a unit or a form an operator expects.
std::string scalar_text(std::string_view key, const OrderedJson& value) {
  if (key == "psk" && !value.is_null()) return kMaskedPsk;
  if (value.is_null()) return "-";
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    return text.empty() ? "-" : text;
  }
  if (key == "created_at" && value.is_number_integer()) return utc_time(value.get<int64_t>());
  if (key == "bandwidth" && value.is_number()) return value.dump() + " Mbps";
  return value.dump();
}

std::string joined(std::string_view key, const OrderedJson& list, std::string_view separator) {
  if (list.empty()) return "-";
  std::string out;
  for (const auto& item : list) {
    if (!out.empty()) out += separator;
    out += scalar_text(key, item);
  }
  return out;
}

bool is_spd_rule(const OrderedJson& value) {
  return value.is_object() && value.contains("local") && value.contains("peers") &&
         value["peers"].is_array();
}

std::string last_segment(const std::string& key) {
  const auto dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

void flatten_into(const std::string& key, const OrderedJson& value, std::vector<KeyValue>& out);

void flatten_object(const std::string& prefix, const OrderedJson& object,
                    std::vector<KeyValue>& out) {
  if (object.empty()) {
    out.push_back({prefix, "-"});
    return;
  }
  std::vector<std::pair<std::string, const OrderedJson*>> fields;
  for (const auto& [name, value] : object.items()) fields.emplace_back(name, &value);
  std::stable_sort(fields.begin(), fields.end(), [](const auto& a, const auto& b) {
    return field_rank(a.first) < field_rank(b.first);
  });
  for (const auto& [name, value] : fields)
    flatten_into(prefix.empty() ? name : prefix + "." + name, *value, out);
}

void flatten_array(const std::string& key, const OrderedJson& list, std::vector<KeyValue>& out) {
  const auto name = last_segment(key);
  if (list.empty() || std::all_of(list.begin(), list.end(), is_scalar)) {
    out.push_back({key, joined(name, list, ", ")});
    return;
  }
  if (std::all_of(list.begin(), list.end(), is_spd_rule)) {
    // One rule per line: the key on the first, blank continuation keys after.
    for (size_t i = 0; i < list.size(); ++i) {
      const auto& rule = list[i];
      out.push_back({i == 0 ? key : std::string(),
                     scalar_text("local", rule["local"]) + " -> " +
                         joined("peers", rule["peers"], ", ")});
    }
    return;
  }
  for (size_t i = 0; i < list.size(); ++i)
    flatten_into(key + "[" + std::to_string(i) + "]", list[i], out);
}

void flatten_into(const std::string& key, const OrderedJson& value, std::vector<KeyValue>& out) {
  if (value.is_object())
    flatten_object(key, value, out);
  else if (value.is_array())
    flatten_array(key, value, out);
  else
    out.push_back({key, scalar_text(last_segment(key), value)});
}

std::string format_table(std::string_view op, const OrderedJson& items) {
  const auto columns = columns_for(op);
  std::vector<std::string> headers;
  for (const auto& column : columns) headers.emplace_back(column.header);
  std::vector<std::vector<std::string>> rows;
  for (const auto& item : items) {
    std::vector<std::string> row;
    for (const auto& column : columns) {
      const std::string key(column.key);
      if (!item.is_object() || !item.contains(key))
        row.emplace_back("-");
      else if (item[key].is_array())
        row.push_back(joined(column.key, item[key], ","));
      else
        row.push_back(scalar_text(column.key, item[key]));
    }
    rows.push_back(std::move(row));
  }
  return render_table(headers, rows);
}

}  // namespace

std::vector<KeyValue> flatten_fields(const OrderedJson& object) {
  std::vector<KeyValue> out;
  if (object.is_object() && object.empty()) return out;  // nothing to say
  flatten_into(object.is_object() ? "" : "result", object, out);
  return out;
}

std::string format_human(std::string_view op, const OrderedJson& result) {
  if (op.ends_with(".list") && result.is_object() && result.contains("items") &&
      result["items"].is_array() && !columns_for(op).empty())
    return format_table(op, result["items"]);
  if (op.ends_with(".delete") && result.is_object() && result.value("deleted", false))
    return "deleted " + result.value("id", std::string("-")) + "\n";
  if (op == "tunnel.config" && result.is_object() && result.contains("config") &&
      result["config"].is_string()) {
    std::string text = result["config"].get<std::string>();
    if (!text.empty() && text.back() != '\n') text += '\n';
    return text;
  }
  if (op == "tunnel.logs" && result.is_object() && result.contains("lines") && result["lines"].is_array()) {
    std::string text;
    for (const auto& l : result["lines"])
      if (l.is_object()) text += l.value("time", std::string("-")) + "  " + l.value("line", std::string()) + "\n";
    return text;
  }
  return render_key_values(flatten_fields(result));
}

std::string format_json(const OrderedJson& result) { return result.dump(2) + "\n"; }

}  // namespace vpngw::cli
