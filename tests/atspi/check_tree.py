#!/usr/bin/env python3
"""Reads the running kiosk's accessibility tree over AT-SPI (as a screen reader does) and walks the
patient's path by AT-SPI actions alone: the PIN pad, a section page, the consents page, the review
and a refused submit (the receipt is not reached: see the README). On each screen every actionable element must have a non-empty name and the right
role and state. Run by tests/atspi/run.sh inside a D-Bus session with the AT-SPI registry."""
import sys
import time

import pyatspi

ACTIONABLE = {
    pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_CHECK_BOX,
    pyatspi.ROLE_RADIO_BUTTON, pyatspi.ROLE_ENTRY, pyatspi.ROLE_PASSWORD_TEXT,
    pyatspi.ROLE_SPIN_BUTTON, pyatspi.ROLE_COMBO_BOX,
}
failures = []


def app():
    deadline = time.time() + 30
    while time.time() < deadline:
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            a = desktop.getChildAtIndex(i)
            if a is not None and a.childCount > 0:
                return a
        time.sleep(0.5)
    sys.exit("FAIL: no application appeared on the AT-SPI bus within 30 s")


def walk(node, out):
    try:
        states = node.getState()
        if states.contains(pyatspi.STATE_VISIBLE) or node.getRole() == pyatspi.ROLE_APPLICATION:
            out.append(node)
        for i in range(node.childCount):
            child = node.getChildAtIndex(i)
            if child is not None:
                walk(child, out)
    except Exception as e:  # a node that vanished while walking
        print("  (skipped a vanished node: %s)" % e)
    return out


def nodes():
    return walk(app(), [])


def find(name, roles=None, tries=20):
    for _ in range(tries):
        for n in nodes():
            if n.name == name and (roles is None or n.getRole() in roles):
                return n
        time.sleep(0.25)
    return None


def press(name):
    n = find(name, {pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_CHECK_BOX})
    if n is None:
        sys.exit("FAIL: no button %r on screen" % name)
    action = n.queryAction()
    action.doAction(0)
    time.sleep(0.4)


def check_screen(title, expect):
    """Every actionable element named; `expect` maps names to (role, state that must hold)."""
    seen = nodes()
    actionable = [n for n in seen if n.getRole() in ACTIONABLE]
    print("%s: %d actionable elements" % (title, len(actionable)))
    if not actionable:
        failures.append("%s: no actionable element" % title)
    for n in actionable:
        if not (n.name or "").strip():
            failures.append("%s: a %s has no name" % (title, n.getRoleName()))
    for name, (roles, state, present) in expect.items():
        n = next((x for x in seen if x.name == name and x.getRole() in roles), None)
        if n is None:
            failures.append("%s: %r not found with role %s" % (title, name, roles))
            continue
        has = n.getState().contains(state) if state is not None else None
        if state == pyatspi.STATE_CHECKED and n.getRole() == pyatspi.ROLE_TOGGLE_BUTTON:
            # A toggle button's "chosen" is PRESSED in AT-SPI (AccessKit maps toggled to it).
            has = has or n.getState().contains(pyatspi.STATE_PRESSED)
        if state is not None and has != present:
            failures.append("%s: %r state %s should be %s" % (title, name, pyatspi.stateToString(state), present))
        print("  ok %s %r" % (n.getRoleName(), name))


BUTTON = {pyatspi.ROLE_PUSH_BUTTON}
TOGGLE = {pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_PUSH_BUTTON}
CHECK = {pyatspi.ROLE_CHECK_BOX}
ENTRY = {pyatspi.ROLE_ENTRY}
LABEL = {pyatspi.ROLE_LABEL, pyatspi.ROLE_STATIC}

# 1. The PIN pad.
if find("Chris (clinician)", TOGGLE, tries=120) is None:
    sys.exit("FAIL: the PIN pad did not show in the AT-SPI tree")
press("Chris (clinician)")
check_screen("PIN pad", {
    "Chris (clinician)": (TOGGLE, pyatspi.STATE_CHECKED, True),
    "5": (BUTTON, None, None),
    "OK": (BUTTON, pyatspi.STATE_ENABLED, True),
})
for d in "918273":
    press(d)
press("OK")
press("Hand over for a new patient")
press("Next")  # past the privacy notice

# 2. A section page: fields with their names, required stated in the description.
check_screen("About you", {
    "First name *": (ENTRY, None, None),
    "Email": (ENTRY, None, None),
    # One picker names the current language (a row of eight buttons did not fit portrait).
    "Language: English": (BUTTON, None, None),
})
first = find("First name *", ENTRY)
if first is not None and "Required" not in (first.description or ""):
    failures.append("About you: 'First name *' does not say it is required (%r)" % first.description)
press("Next")
press("Do you have any medical conditions?: No")
check_screen("Medical history", {
    "Do you have any medical conditions?: No": (TOGGLE, pyatspi.STATE_CHECKED, True),
    "Do you have any medical conditions?: Yes": (TOGGLE, pyatspi.STATE_CHECKED, False),
    "Skin conditions: Eczema": (CHECK, pyatspi.STATE_CHECKED, False),
})
for _ in range(5):
    press("Next")

# 3. The consents page: each a checkbox, unticked, treatment required.
check_screen("Consents", {
    "Consent to assessment and treatment": (CHECK, pyatspi.STATE_CHECKED, False),
    "Offers and news by email": (CHECK, pyatspi.STATE_CHECKED, False),
})
press("Consent to assessment and treatment")
check_screen("Consents ticked", {
    "Consent to assessment and treatment": (CHECK, pyatspi.STATE_CHECKED, True),
})
press("Next")

# 4. The review page: the choices in words, an Edit per part.
if "-v" in sys.argv:
    for n in nodes():
        print("   ", n.getRoleName(), repr(n.name), n.getState().getStates())
check_screen("Review", {
    "Edit: About you": (BUTTON, None, None),
    "Edit: Medical history": (BUTTON, None, None),
    "Do you have any medical conditions?: No": (LABEL, None, None),
    "First name: Not answered (needed)": (LABEL, None, None),
})
press("Next")
press("Submit")  # refused: required answers missing, no signature
# The kiosk goes back to the first problem; the field says what is wrong.
first = find("First name *", ENTRY)
said = first.description if first is not None else None
print("first name's description after a refused submit: %r" % said)
if not said or "Please answer this question." not in said:
    failures.append("a refused submit does not say what is wrong with 'First name *' (%r)" % said)

if failures:
    print("\n".join("FAIL: " + f for f in failures))
    sys.exit(1)
print("PASS: every actionable element named, roles and states as expected")
