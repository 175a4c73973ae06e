#pragma once
// Every GUI test's settings and standard paths live apart from the user's (QStandardPaths test mode) and
// from the other tests' (organisation "AttnScopeTest", application = the test program's name), and start
// empty, so no test sees a window geometry, theme or workspace another one saved.
namespace attnscope::test {

void useIsolatedSettings();

} // namespace attnscope::test
