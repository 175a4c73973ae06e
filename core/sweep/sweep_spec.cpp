#include "core/sweep/sweep_spec.h"

#include "core/train/presets.h"
#include "core/util/error.h"

#include <cstdio>
#include <set>

namespace attnscope {

using nlohmann::json;

namespace {

std::string describe(const json& v) {
    std::string s = v.dump();
    return s.size() > 40 ? s.substr(0, 40) + "…" : s;
}

// "train.lr" → {"train": {"lr": value}}: the same keys, checks and messages as a run config file.
json overlayFor(const std::string& field, const json& value) {
    const auto dot = field.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == field.size() ||
        field.find('.', dot + 1) != std::string::npos)
        throw Error("sweep axis field \"" + field +
                    "\": expected section.key, e.g. train.lr, train.seed, model.qk_norm.");
    const std::string section = field.substr(0, dot);
    if (section != "model" && section != "train" && section != "data")
        throw Error("sweep axis field \"" + field + "\": the section must be model, train or data.");
    return json{{section, json{{field.substr(dot + 1), value}}}};
}

const json& member(const json& j, const char* key, const std::string& where) {
    auto it = j.find(key);
    if (it == j.end()) throw Error(where + ": missing \"" + key + "\".");
    return *it;
}

SweepAxis axisFromJson(const json& j, std::size_t index) {
    const std::string where = "sweep axes[" + std::to_string(index) + "]";
    if (!j.is_object()) throw Error(where + ": expected an object, got " + describe(j) + ".");
    for (auto it = j.begin(); it != j.end(); ++it)
        if (it.key() != "name" && it.key() != "field" && it.key() != "values" && it.key() != "variants")
            throw Error(where + "." + it.key() + ": unknown key (expected name, field, values, variants).");
    SweepAxis axis;
    if (j.contains("variants")) {
        if (j.contains("field") || j.contains("values"))
            throw Error(where + ": an axis has either \"variants\" or \"field\" + \"values\", not both.");
        const json& variants = j["variants"];
        if (!variants.is_array() || variants.empty())
            throw Error(where + ".variants: expected a non-empty array of {\"label\", \"set\"}.");
        for (const json& v : variants) {
            if (!v.is_object() || !v.contains("label") || !v["label"].is_string())
                throw Error(where + ".variants: every variant needs a \"label\" string, got " + describe(v) +
                            ".");
            const json set = v.value("set", json::object());
            if (!set.is_object())
                throw Error(where + ".variants." + v["label"].get<std::string>() +
                            ".set: expected a RunSpec JSON object.");
            axis.labels.push_back(v["label"].get<std::string>());
            axis.values.push_back(set);
        }
        axis.name = j.value("name", std::string("variant"));
    } else {
        const json& field = member(j, "field", where);
        if (!field.is_string()) throw Error(where + ".field: expected a string such as \"train.lr\".");
        axis.field = field.get<std::string>();
        overlayFor(axis.field, 0); // checks the form of the name now
        const json& values = member(j, "values", where);
        if (!values.is_array() || values.empty()) throw Error(where + ".values: expected a non-empty array.");
        for (const json& v : values) {
            if (!v.is_primitive() || v.is_null())
                throw Error(where + ".values: " + describe(v) + " is not a number, string or boolean.");
            axis.values.push_back(v);
            axis.labels.push_back(axisLabel(v));
        }
        axis.name = j.value("name", axis.field.substr(axis.field.find('.') + 1));
    }
    if (axis.name.empty()) throw Error(where + ".name: must not be empty.");
    std::set<std::string> seen;
    for (const std::string& label : axis.labels)
        if (!seen.insert(label).second)
            throw Error(where + " (" + axis.name + "): the point \"" + label + "\" appears twice.");
    return axis;
}

// Cell ids become file names: keep them to characters that are safe on every file system.
std::string safe(const std::string& text) {
    std::string s;
    for (const char c : text) {
        const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '+';
        s += ok ? c : '-';
    }
    return s;
}

} // namespace

std::string axisLabel(const json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
    if (value.is_number_integer()) return value.dump();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", value.get<double>());
    return buf;
}

std::size_t SweepSpec::cellCount() const {
    std::size_t n = 1;
    for (const SweepAxis& a : axes) n *= a.values.size();
    return axes.empty() ? 0 : n;
}

int SweepSpec::axisSetting(const std::string& field) const {
    for (std::size_t i = 0; i < axes.size(); ++i)
        if (axes[i].field == field) return int(i);
    return -1;
}

SweepSpec sweepSpecFromJson(const json& j) {
    if (!j.is_object()) throw Error("sweep: expected a JSON object, got " + describe(j) + ".");
    SweepSpec s;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        if (k == "name" || k == "description" || k == "base_preset") {
            if (!it->is_string())
                throw Error("sweep " + k + ": expected a string, got " + describe(*it) + ".");
            (k == "name"          ? s.name
             : k == "description" ? s.description
                                  : s.basePreset) = it->get<std::string>();
        } else if (k == "base") {
            if (!it->is_object()) throw Error("sweep base: expected a RunSpec JSON object.");
            s.base = *it;
        } else if (k == "axes") {
            if (!it->is_array() || it->empty()) throw Error("sweep axes: expected a non-empty array.");
            for (std::size_t i = 0; i < it->size(); ++i) s.axes.push_back(axisFromJson((*it)[i], i));
        } else
            throw Error("sweep." + k +
                        ": unknown key (expected name, description, base_preset, base, axes).");
    }
    if (s.axes.empty()) throw Error("sweep: no axes (\"axes\": [...]) — a sweep needs at least one.");
    if (s.name.empty()) throw Error("sweep name: must not be empty.");
    if (!s.basePreset.empty() && !findPreset(s.basePreset))
        throw Error("sweep base_preset: unknown preset '" + s.basePreset +
                    "' (attnscope-cli presets lists them).");
    std::set<std::string> names;
    for (const SweepAxis& a : s.axes)
        if (!names.insert(a.name).second) throw Error("sweep axes: two axes are named \"" + a.name + "\".");
    return s;
}

json toJson(const SweepSpec& s) {
    json axes = json::array();
    for (const SweepAxis& a : s.axes) {
        if (a.field.empty()) {
            json variants = json::array();
            for (std::size_t i = 0; i < a.values.size(); ++i)
                variants.push_back({{"label", a.labels[i]}, {"set", a.values[i]}});
            axes.push_back({{"name", a.name}, {"variants", variants}});
        } else
            axes.push_back({{"name", a.name}, {"field", a.field}, {"values", a.values}});
    }
    json j{{"name", s.name}, {"description", s.description}, {"base", s.base}, {"axes", axes}};
    if (!s.basePreset.empty()) j["base_preset"] = s.basePreset;
    return j;
}

std::vector<SweepCell> expandGrid(const SweepSpec& s) {
    RunSpec base;
    if (!s.basePreset.empty()) {
        const Preset* preset = findPreset(s.basePreset);
        if (!preset) throw Error("sweep base_preset: unknown preset '" + s.basePreset + "'.");
        base = preset->spec;
    }
    try {
        applyJson(s.base, base);
    } catch (const Error& e) {
        throw Error(std::string("sweep base: ") + e.what());
    }
    base.description = s.description.empty() ? base.description : s.description;

    std::vector<SweepCell> cells;
    const std::size_t n = s.cellCount();
    std::vector<std::size_t> point(s.axes.size(), 0);
    std::set<std::string> ids;
    for (std::size_t c = 0; c < n; ++c) {
        SweepCell cell;
        cell.point = point;
        cell.spec = base;
        for (std::size_t a = 0; a < s.axes.size(); ++a) {
            const SweepAxis& axis = s.axes[a];
            const std::string& label = axis.labels[point[a]];
            cell.labels.push_back(label);
            if (a) cell.id += '_';
            cell.id += safe(axis.field.empty() ? label : axis.name + label);
            const json overlay =
                axis.field.empty() ? axis.values[point[a]] : overlayFor(axis.field, axis.values[point[a]]);
            try {
                applyJson(overlay, cell.spec);
            } catch (const Error& e) {
                throw Error("sweep axis " + axis.name + " = " + label + ": " + e.what());
            }
        }
        cell.spec.name = s.name + "/" + cell.id;
        if (!ids.insert(cell.id).second)
            throw Error("sweep: two cells would share the name " + cell.id +
                        " (make the axis labels distinct).");
        std::string problems;
        for (const std::string& e : cell.spec.validate()) {
            if (!problems.empty()) problems += "; ";
            problems += e;
        }
        if (!problems.empty()) throw Error("sweep cell " + cell.id + " is not a valid run: " + problems);
        cells.push_back(std::move(cell));
        // Odometer: the last axis turns fastest.
        for (std::size_t a = s.axes.size(); a-- > 0;) {
            if (++point[a] < s.axes[a].values.size()) break;
            point[a] = 0;
        }
    }
    return cells;
}

} // namespace attnscope
