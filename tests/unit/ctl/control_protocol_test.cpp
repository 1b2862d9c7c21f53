// The control protocol: requests checked and dispatched, every bad input an error reply.
#include "syncd/control_protocol.h"

#include <catch2/catch.hpp>

using namespace autosync;
using namespace autosync::syncd;

namespace {

ControlCommands echo_commands() {
  ControlCommands commands;
  commands["echo"] = [](const Json& request) -> Result<Json> {
    AUTOSYNC_ASSIGN_OR_RETURN(auto text, string_arg(request, "text"));
    return Json{{"text", text}};
  };
  commands["refuse"] = [](const Json&) -> Result<Json> { return invalid("no, not now"); };
  commands["typed"] = [](const Json& request) -> Result<Json> {
    return Json{{"n", request.at("n").get<int>() + 1}};  // throws on a wrong type
  };
  return commands;
}

Json reply_of(std::string_view request) {
  return Json::parse(dispatch(echo_commands(), request));
}

}  // namespace

TEST_CASE("a request runs its command and the reply carries ok and the version", "[ctl]") {
  const Json reply = reply_of(R"({"v":1,"cmd":"echo","text":"hi"})");
  CHECK(reply["ok"] == true);
  CHECK(reply["v"] == kControlProtocolVersion);
  CHECK(reply["text"] == "hi");
  auto parsed = parse_reply(reply.dump());
  REQUIRE(parsed.is_ok());
  CHECK((*parsed)["text"] == "hi");
}

TEST_CASE("make_request names the command and the version", "[ctl]") {
  const Json request = make_request("flush", Json{{"path", "a/b"}});
  CHECK(request["v"] == kControlProtocolVersion);
  CHECK(request["cmd"] == "flush");
  CHECK(request["path"] == "a/b");
  CHECK(Json::parse(dispatch(echo_commands(), make_request("echo").dump()))["text"] == "");
}

TEST_CASE("bad requests get an error reply naming the problem", "[ctl]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json at all", "not valid JSON"},
      {"[1,2,3]", "not a JSON object"},
      {R"({"cmd":"echo"})", "no protocol version"},
      {R"({"v":"1","cmd":"echo"})", "no protocol version"},
      {R"({"v":2,"cmd":"echo"})", "protocol version 2 is newer"},
      {R"({"v":1})", "no \"cmd\""},
      {R"({"v":1,"cmd":7})", "no \"cmd\""},
      {R"({"v":1,"cmd":"launch"})", "unknown command \"launch\""},
      {R"({"v":1,"cmd":"echo","text":5})", "\"text\" must be a string"},
      {R"({"v":1,"cmd":"refuse"})", "no, not now"},
      {R"({"v":1,"cmd":"typed","n":"x"})", "bad request"},
      {R"({"v":1,"cmd":"typed"})", "bad request"},
      {"", "not valid JSON"},
  };
  for (const auto& [request, expected] : cases) {
    INFO(request);
    const Json reply = reply_of(request);
    CHECK(reply["ok"] == false);
    CHECK(reply["v"] == kControlProtocolVersion);
    CHECK_THAT(reply["error"].get<std::string>(), Catch::Contains(expected));
    auto parsed = parse_reply(reply.dump());
    REQUIRE_FALSE(parsed.is_ok());
    CHECK_THAT(parsed.status().message(), Catch::Contains(expected));
  }
}

TEST_CASE("an older protocol version is still served", "[ctl]") {
  CHECK(reply_of(R"({"v":0,"cmd":"echo","text":"old"})")["text"] == "old");
}

TEST_CASE("a reply that is not a protocol reply is refused by the client", "[ctl]") {
  CHECK_FALSE(parse_reply("garbage").is_ok());
  CHECK_FALSE(parse_reply(R"({"v":1})").is_ok());
  CHECK_THAT(parse_reply(R"({"v":1,"ok":false})").status().message(), Catch::Contains("refused"));
}

TEST_CASE("string_list_arg wants a list of strings", "[ctl]") {
  CHECK(string_list_arg(Json{{"paths", {"a", "b"}}}, "paths").value() ==
        std::vector<std::string>{"a", "b"});
  CHECK_FALSE(string_list_arg(Json::object(), "paths").is_ok());
  CHECK_FALSE(string_list_arg(Json{{"paths", "a"}}, "paths").is_ok());
  CHECK_FALSE(string_list_arg(Json{{"paths", {1}}}, "paths").is_ok());
}

TEST_CASE("file names that are not UTF-8 do not break a reply", "[ctl]") {
  const std::string reply = ok_reply(Json{{"path", std::string("caf\xe9")}});
  CHECK(Json::parse(reply)["ok"] == true);
}
