#!/usr/bin/env python3
"""End-to-end test of the real falcon-chat under Xvfb with the bundled model (issue 9):
  1. type a question, see the streamed reply; stop a second reply with Esc
  2. regenerate (Ctrl+R) and switch branches (Alt+Left)
  3. search (Ctrl+F)
  4. quit, restart, and find the conversation restored (window title + messages)
  5. a chat with code blocks (written into the store while the app is closed, as an import
     would), the sampling panel with its presets (Ctrl+Shift+S) and the model picker (Ctrl+O)
It checks the outcome in the app's own database and window title, and saves a screenshot of
every step into OUT_DIR (look at them).
Usage: e2e_falcon_chat.py FALCON_CHAT_BIN OUT_DIR [MODELS_DIR]
Exit 77 (skipped) when no model is available."""
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xdrive  # noqa: E402

binary, out_dir = sys.argv[1], sys.argv[2]
models = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.path.dirname(__file__), "../../resources/models")
if not os.path.isdir(models) or not any(os.path.isfile(os.path.join(models, d, "config.json")) for d in os.listdir(models)):
    print("skipped: no bundled model in", models)
    sys.exit(77)
import shutil  # noqa: E402
for tool in ("Xvfb", "import", "xwininfo"):
    if shutil.which(tool) is None:
        print("skipped: needs", tool)
        sys.exit(77)
os.makedirs(out_dir, exist_ok=True)
home = tempfile.mkdtemp(prefix="falcon-e2e-")
env = dict(os.environ, XDG_DATA_HOME=f"{home}/data", XDG_CONFIG_HOME=f"{home}/config", FALCON_CHAT_MODELS=models,
           QT_QPA_PLATFORM="xcb", LANG="en_US.UTF-8", LANGUAGE="en")


def start_xvfb():
    """An Xvfb on a free display, once it answers (a display number already taken makes Xvfb
    exit, and another is tried). Its messages go to xvfb.log in the output folder."""
    for _ in range(10):
        disp = f":{random.randint(150, 250)}"
        proc = subprocess.Popen(["Xvfb", disp, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=open(os.path.join(out_dir, "xvfb.log"), "a"))
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None:
            if subprocess.run(["xwininfo", "-display", disp, "-root"], capture_output=True).returncode == 0:
                return disp, proc
            time.sleep(0.2)
        if proc.poll() is None:
            proc.kill()
    sys.exit("Xvfb did not start on any display (tried 10)")


display, xvfb = start_xvfb()
env["DISPLAY"] = display
db_path = f"{home}/data/falcon-chat/falcon-chat/conversations.db"  # AppDataLocation = <data>/<org>/<app>
conf_path = f"{home}/config/falcon-chat/falcon-chat.conf"
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def shot(name):
    subprocess.run(["import", "-display", display, "-window", "root", os.path.join(out_dir, name)], check=False)


def wait_for(pred, timeout, step=0.2):
    end = time.time() + timeout
    while time.time() < end:
        try:
            if pred():
                return True
        except sqlite3.Error:
            pass
        time.sleep(step)
    return False


def query(sql, *args):
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def window_title():
    tree = subprocess.run(["xwininfo", "-display", display, "-root", "-tree"], capture_output=True, text=True).stdout
    # Qt may own several top-level windows; all their names, one per line.
    return "\n".join(line.split('"')[1] for line in tree.splitlines() if "Falcon Chat" in line and '"' in line)


def echo_stderr(proc):
    """Echoes the app's stderr to ours, keeping the lines in proc.err_lines."""
    for line in proc.stderr:
        proc.err_lines.append(line)
        sys.stderr.write(line)


def x_connection_refused(proc):
    proc.wait()
    proc.echo.join(5)  # the last lines are read
    return any("could not connect to display" in line for line in proc.err_lines)


def header_drawn():
    """Whether the window's header (at 400, 24) shows anything but the black of an empty screen."""
    out = subprocess.run(["import", "-display", display, "-window", "root", "-crop", "1x1+400+24", "txt:-"],
                         capture_output=True, text=True).stdout
    m = re.search(r"\((\d+),(\d+),(\d+)", out.splitlines()[-1] if out.strip() else "")
    return bool(m) and sum(int(v) for v in m.groups()) > 0


def start_app():
    # Twice in test.sh runs (2026-12-03) the app exited at once with "could not connect to display",
    # the second time although Xvfb had answered xwininfo just before; not reproduced since. So an
    # app that exits before its window shows for that reason, and only that one, is reported with
    # the X server's state and started once more (what this test checks begins after the
    # connection); any other early exit stays a failure below.
    for attempt in range(2):
        app = subprocess.Popen([binary], env=env, stderr=subprocess.PIPE, text=True)
        app.err_lines = []
        app.echo = threading.Thread(target=echo_stderr, args=(app,), daemon=True)
        app.echo.start()
        wait_for(lambda: "Falcon Chat" in window_title() or app.poll() is not None, 30)
        if app.poll() is None or attempt or not x_connection_refused(app):
            break
        probe = subprocess.run(["xwininfo", "-display", display, "-root"], capture_output=True).returncode
        print(f"note: the app could not connect to {display}; Xvfb "
              f"{'running' if xvfb.poll() is None else 'exited'}, xwininfo {'answers' if probe == 0 else 'fails'}; "
              "starting it again", flush=True)
    time.sleep(1.0)
    # The title comes before the first frame: under ASan beside other tests the window was still
    # black two seconds later, the click below went nowhere, and without an active window Qt
    # ignored the shortcuts (typing still reached the app). So wait until the header is drawn.
    wait_for(lambda: header_drawn(), 60, step=0.5)
    x = xdrive.Display(display)
    # A click on the header's title activates the window (Xvfb has no window manager to do it, and
    # without an active window Qt's shortcuts stay off); it is not in the message field, which
    # must hold the keyboard focus from the start.
    x.click(400, 24)
    return app, x


CODE_REPLY = """Here is a small Python function and the JSON that configures it:

```python
import json

def load(path: str, retries: int = 3) -> dict:
    \"\"\"Read a config file.\"\"\"
    for attempt in range(retries):  # try a few times
        with open(path) as f:
            return json.load(f)
    return None
```

```json
{"name": "falcon-mini", "layers": 4, "alibi": true, "note": null}
```

Run it with `python3 load.py`."""


def add_code_conversation():
    """A conversation whose reply holds code blocks, written the way the store writes one."""
    now = int(time.time() * 1000)
    con = sqlite3.connect(db_path, timeout=5)
    try:
        cid = con.execute("INSERT INTO conversations(title, created_ms, updated_ms, system_prompt) VALUES (?, ?, ?, ?)",
                          ("Code samples", now, now, "You are a helpful assistant.")).lastrowid
        user = con.execute("INSERT INTO messages(conversation_id, parent_id, role, text, created_ms) VALUES (?, NULL, 'user', ?, ?)",
                           (cid, "Show me a Python function and its JSON config.", now)).lastrowid
        reply = con.execute("INSERT INTO messages(conversation_id, parent_id, role, text, created_ms, token_count, stop_reason) "
                            "VALUES (?, ?, 'assistant', ?, ?, 90, 'eos')", (cid, user, CODE_REPLY, now)).lastrowid
        con.execute("UPDATE conversations SET active_leaf_id = ? WHERE id = ?", (reply, cid))
        con.commit()
        return cid
    finally:
        con.close()


def model_loaded():
    return os.path.exists(conf_path) and "dir=" in open(conf_path).read()


try:
    app, x = start_app()
    check(wait_for(model_loaded, 120), "the bundled model loads in the background")
    shot("01-start.png")

    # 1. A question and its streamed reply.
    x.type("What is a falcon?\n")
    check(wait_for(lambda: query("SELECT COUNT(*) FROM messages WHERE role='assistant' AND state='complete'")[0][0] >= 1, 120),
          "the first reply completes")
    shot("02-reply.png")
    # A second question, stopped with Esc while it streams: Esc goes as soon as the store holds
    # the streaming reply. The bundled model's replies are short (~40 tokens), so on a fast
    # machine one can still end before the Esc arrives: that tests nothing, and the next question
    # is asked (each reply must still end with a valid reason).
    reasons = []
    for attempt, question in enumerate(["What are the months of the year?", "Tell me a very long story about the sea.",
                                        "What are the months of the year?"]):
        x.type(question + "\n", pause=0.01)
        wait_for(lambda: query("SELECT COUNT(*) FROM messages WHERE role='assistant' AND state='streaming'")[0][0] > 0
                 or query("SELECT COUNT(*) FROM messages WHERE role='assistant' AND state='complete'")[0][0]
                 >= 2 + attempt, 30, step=0.005)
        x.chord("Escape")
        check(wait_for(lambda: query("SELECT COUNT(*) FROM messages WHERE role='assistant' AND state='complete'")[0][0]
                       >= 2 + attempt, 60), f"reply {2 + attempt} ends")
        reasons = [r[0] for r in query("SELECT stop_reason FROM messages WHERE role='assistant' ORDER BY id")]
        check(reasons[-1] in ("cancelled", "eos", "length", "stop_string"), f"reply {2 + attempt} stop reason {reasons[-1]!r}")
        if reasons[-1] == "cancelled":
            break
    check(reasons[-1] == "cancelled", "Esc stopped a streaming reply")
    shot("03-stopped.png")

    # 2. Regenerate the last reply and switch back to the first version.
    last = query("SELECT id, parent_id FROM messages WHERE role='assistant' ORDER BY id DESC LIMIT 1")[0]
    x.chord("Control_L", "r")
    check(wait_for(lambda: query("SELECT COUNT(*) FROM messages WHERE parent_id=? AND state='complete'", last[1])[0][0] == 2, 60),
          "Ctrl+R made a sibling reply")
    newest = query("SELECT id FROM messages WHERE parent_id=? ORDER BY id DESC LIMIT 1", last[1])[0][0]
    check(query("SELECT active_leaf_id FROM conversations")[0][0] == newest, "the new version is active")
    # The store says "complete" a moment before the window hears that the reply ended, and
    # Alt+Left is ignored while a reply streams (slow builds such as ASan show it): press it
    # again until it takes.
    def switched_back():
        if query("SELECT active_leaf_id FROM conversations")[0][0] == last[0]:
            return True
        x.chord("Alt_L", "Left")
        return False
    check(wait_for(switched_back, 20, step=1.0), "Alt+Left switched back to version 1/2")
    time.sleep(0.5)  # let the view draw the switched branch
    shot("04-branches.png")

    # 3. Search.
    x.chord("Control_L", "f")
    x.type("falcon")
    time.sleep(1.0)
    shot("05-search.png")
    x.chord("Escape")

    # 4. Quit and restart: the conversation is restored.
    title = query("SELECT title FROM conversations")[0][0]
    x.chord("Control_L", "q")
    check(wait_for(lambda: app.poll() is not None, 15), "Ctrl+Q quits")
    app, x = start_app()
    check(wait_for(lambda: title in window_title(), 20), f"after a restart the window shows {title!r}")
    time.sleep(2.0)
    shot("06-restored.png")
    # Ctrl+N, then typing: the new chat's message field has the focus. Enter is pressed until the
    # message is taken: while the model still loads (slow under ASan beside other tests) it is
    # refused and put back.
    x.chord("Control_L", "n")
    x.type("What is two plus two?\n")
    def second_chat_sent():
        if query("SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id "
                 "WHERE m.role='user' AND m.text='What is two plus two?' AND c.title != ?", title)[0][0] == 1:
            return True
        x.chord("Return")
        return False
    check(wait_for(second_chat_sent, 60, step=2.0)
          and wait_for(lambda: query("SELECT COUNT(*) FROM messages WHERE role='assistant' AND state='streaming'")[0][0] == 0, 60),
          "Ctrl+N and typing start a second chat")
    # A draft stays with its chat: typed in the second chat and not sent, it is not in the third
    # chat's composer, and it is back when the second chat is opened again (second in the list,
    # newest first) and sent with Enter.
    def user_messages(chat_title, text):
        return query("SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id "
                     "WHERE m.role='user' AND m.text=? AND c.title=?", text, chat_title)[0][0]
    def idle():
        return query("SELECT COUNT(*) FROM messages WHERE role='assistant' AND state='streaming'")[0][0] == 0
    x.type("Draft for the second chat")
    x.chord("Control_L", "n")
    x.type("Hello there\n")
    check(wait_for(lambda: user_messages("Hello there", "Hello there") == 1 and idle(), 60),
          "a new chat's composer is empty though the last chat had a draft")
    time.sleep(1.0)
    x.click(120, 285)
    time.sleep(1.0)
    x.chord("Return")
    check(wait_for(lambda: user_messages("What is two plus two?", "Draft for the second chat") == 1 and idle(), 60),
          "the draft is back in its chat, and sent from there")
    shot("06b-drafts.png")
    # A draft outlives the app: typed, not sent, Ctrl+Q; after a restart (the same chat opens) it
    # is in the message field and Enter sends it. Enter is pressed until the message is taken: it
    # is refused (and put back) while the model still loads.
    x.type("Kept over a restart")
    x.chord("Control_L", "q")
    check(wait_for(lambda: app.poll() is not None, 15), "Ctrl+Q quits again")
    check(query("SELECT text FROM drafts") == [("Kept over a restart",)], "quitting saved the unsent draft")
    app, x = start_app()
    check(wait_for(lambda: "What is two plus two?" in window_title(), 20), "the chat with the draft reopens")
    def sent_after_restart():
        if user_messages("What is two plus two?", "Kept over a restart") == 1:
            return True
        x.chord("Return")
        return False
    check(wait_for(sent_after_restart, 60, step=2.0) and wait_for(idle, 60),
          "the draft is back after the restart, and sent from there")
    check(wait_for(lambda: query("SELECT COUNT(*) FROM drafts")[0][0] == 0, 5), "a sent draft leaves the store")
    x.chord("Control_L", "q")
    check(wait_for(lambda: app.poll() is not None, 15), "Ctrl+Q quits a third time")

    # 5. Code blocks, presets and the model picker, as a user sees them.
    code_id = add_code_conversation()
    with open(conf_path) as f:
        conf = f.read()
    with open(conf_path, "w") as f:
        f.write(re.sub(r"(?m)^lastConversation=\d+", f"lastConversation={code_id}", conf))
    app, x = start_app()
    check(wait_for(lambda: "Code samples" in window_title(), 20), "the chat with code blocks opens")
    time.sleep(2.0)
    shot("07-code.png")
    x.chord("Control_L", "Shift_L", "s")
    time.sleep(1.0)
    shot("08-presets.png")
    x.chord("Control_L", "Shift_L", "s")
    x.chord("Control_L", "o")
    time.sleep(1.5)
    shot("09-model-picker.png")
    x.chord("Escape")  # closes the picker
    time.sleep(0.5)
    x.chord("Control_L", "q")
    check(wait_for(lambda: app.poll() is not None, 15), "Esc closes the model picker and Ctrl+Q quits")
finally:
    for p in ("app",):
        proc = globals().get(p)
        if proc and proc.poll() is None:
            proc.terminate()
    xvfb.terminate()

print("screenshots in", out_dir, "; app data in", home)
sys.exit(1 if failures else 0)
