#!/usr/bin/env python3
"""sarif_validate.py FILE: checks a SARIF log against the SARIF 2.1.0 schema's
rules for every object kind mtacc emits (allowed and required properties,
types, enums, minimums), as written in the OASIS sarif-schema-2.1.0.json.
Exit 0 if valid, 1 with the reasons otherwise."""
import json, sys

errors = []

def obj(path, v, allowed, required=()):
    if not isinstance(v, dict):
        errors.append(f"{path}: not an object"); return {}
    for k in v:
        if k not in allowed:
            errors.append(f"{path}: property {k!r} not allowed")
    for k in required:
        if k not in v:
            errors.append(f"{path}: required property {k!r} missing")
    return v

def typ(path, v, t):
    if not isinstance(v, t) or (t is int and isinstance(v, bool)):
        errors.append(f"{path}: expected {t.__name__}")
        return False
    return True

def message(path, v):
    m = obj(path, v, {"text", "markdown", "id", "arguments", "properties"})
    if "text" in m: typ(path + ".text", m["text"], str)
    if not ("text" in m or "id" in m):
        errors.append(f"{path}: message needs text or id")

def mfms(path, v):  # multiformatMessageString
    m = obj(path, v, {"text", "markdown", "properties"}, ("text",))
    if "text" in m: typ(path + ".text", m["text"], str)

LEVELS = {"none", "note", "warning", "error"}

def region(path, v):
    r = obj(path, v, {"startLine", "startColumn", "endLine", "endColumn", "charOffset",
                      "charLength", "byteOffset", "byteLength", "snippet", "message",
                      "sourceLanguage", "properties"})
    for k in ("startLine", "startColumn", "endLine", "endColumn"):
        if k in r and typ(f"{path}.{k}", r[k], int) and r[k] < 1:
            errors.append(f"{path}.{k}: must be >= 1")
    if "endLine" in r and "startLine" in r and r["endLine"] < r["startLine"]:
        errors.append(f"{path}: endLine before startLine")

def location(path, v):
    l = obj(path, v, {"id", "physicalLocation", "logicalLocations", "message", "annotations",
                      "relationships", "properties"})
    if "id" in l and typ(path + ".id", l["id"], int) and l["id"] < -1:
        errors.append(f"{path}.id: must be >= -1")
    if "message" in l: message(path + ".message", l["message"])
    if "physicalLocation" in l:
        p = obj(path + ".physicalLocation", l["physicalLocation"],
                {"address", "artifactLocation", "region", "contextRegion", "properties"})
        if "artifactLocation" in p:
            a = obj(path + ".artifactLocation", p["artifactLocation"],
                    {"uri", "uriBaseId", "index", "description", "properties"})
            if "uri" in a: typ(path + ".uri", a["uri"], str)
        if "region" in p: region(path + ".region", p["region"])

def result(path, v, nrules):
    r = obj(path, v, {"guid", "correlationGuid", "ruleId", "ruleIndex", "rule", "kind", "level",
                      "message", "analysisTarget", "locations", "webRequest", "webResponse",
                      "fingerprints", "partialFingerprints", "codeFlows", "graphs",
                      "graphTraversals", "stacks", "relatedLocations", "suppressions",
                      "baselineState", "rank", "attachments", "hostedViewerUri",
                      "workItemUris", "provenance", "fixes", "taxa", "properties"}, ("message",))
    if "message" in r: message(path + ".message", r["message"])
    if "level" in r and r["level"] not in LEVELS: errors.append(f"{path}.level: bad enum")
    if "ruleIndex" in r and typ(path + ".ruleIndex", r["ruleIndex"], int):
        if not (-1 <= r["ruleIndex"] < nrules): errors.append(f"{path}.ruleIndex: out of range")
    for k in ("locations", "relatedLocations"):
        if k in r and typ(f"{path}.{k}", r[k], list):
            for i, l in enumerate(r[k]): location(f"{path}.{k}[{i}]", l)
    if "properties" in r: typ(path + ".properties", r["properties"], dict)

def main(fn):
    with open(fn, encoding="utf-8") as f:
        log = json.load(f)
    root = obj("$", log, {"$schema", "version", "runs", "inlineExternalProperties", "properties"},
               ("version", "runs"))
    if root.get("version") != "2.1.0": errors.append("$.version: must be 2.1.0")
    for i, run in enumerate(root.get("runs", [])):
        p = f"$.runs[{i}]"
        run = obj(p, run, {"tool", "invocations", "conversion", "language", "versionControlProvenance",
                           "originalUriBaseIds", "artifacts", "logicalLocations", "graphs", "results",
                           "automationDetails", "runAggregates", "baselineGuid", "redactionTokens",
                           "defaultEncoding", "defaultSourceLanguage", "newlineSequences",
                           "columnKind", "externalPropertyFileReferences", "threadFlowLocations",
                           "taxonomies", "addresses", "translations", "policies", "webRequests",
                           "webResponses", "specialLocations", "properties"}, ("tool",))
        tool = obj(p + ".tool", run.get("tool", {}), {"driver", "extensions", "properties"}, ("driver",))
        drv = obj(p + ".tool.driver", tool.get("driver", {}),
                  {"guid", "name", "organization", "product", "productSuite", "shortDescription",
                   "fullDescription", "fullName", "version", "semanticVersion", "dottedQuadFileVersion",
                   "releaseDateUtc", "downloadUri", "informationUri", "globalMessageStrings",
                   "notifications", "rules", "taxa", "locations", "language", "contents",
                   "isComprehensive", "localizedDataSemanticVersion", "minimumRequiredLocalizedDataSemanticVersion",
                   "associatedComponent", "translationMetadata", "supportedTaxonomies", "properties"}, ("name",))
        rules = drv.get("rules", [])
        for k, rule in enumerate(rules):
            rp = f"{p}.tool.driver.rules[{k}]"
            rr = obj(rp, rule, {"id", "deprecatedIds", "guid", "deprecatedGuids", "name",
                                "deprecatedNames", "shortDescription", "fullDescription",
                                "messageStrings", "defaultConfiguration", "helpUri", "help",
                                "relationships", "properties"}, ("id",))
            for d in ("shortDescription", "fullDescription"):
                if d in rr: mfms(f"{rp}.{d}", rr[d])
            if "defaultConfiguration" in rr:
                dc = obj(rp + ".defaultConfiguration", rr["defaultConfiguration"],
                         {"enabled", "level", "rank", "parameters", "properties"})
                if dc.get("level", "warning") not in LEVELS: errors.append(f"{rp}: bad level")
        for k, res in enumerate(run.get("results", [])):
            result(f"{p}.results[{k}]", res, len(rules))
            rid = res.get("ruleId")
            if "ruleIndex" in res and 0 <= res["ruleIndex"] < len(rules) and rules[res["ruleIndex"]].get("id") != rid:
                errors.append(f"{p}.results[{k}]: ruleIndex does not match ruleId")
    if errors:
        print("\n".join(errors)); sys.exit(1)

main(sys.argv[1])
