"""Minimal X11 input driver for the end-to-end test: types text and presses key chords in
the focused window through the XTEST extension (libXtst via ctypes; no xdotool needed), and
reads window titles. Only for Xvfb sessions the test itself starts."""
import ctypes
import ctypes.util
import time

_x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
_xtst = ctypes.CDLL(ctypes.util.find_library("Xtst") or "libXtst.so.6")
_x11.XOpenDisplay.restype = ctypes.c_void_p
_x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
_x11.XStringToKeysym.restype = ctypes.c_ulong
_x11.XStringToKeysym.argtypes = [ctypes.c_char_p]
_x11.XKeysymToKeycode.restype = ctypes.c_ubyte
_x11.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
_x11.XFlush.argtypes = [ctypes.c_void_p]
_x11.XDefaultRootWindow.restype = ctypes.c_ulong
_x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
_xtst.XTestFakeKeyEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong]
_xtst.XTestFakeButtonEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong]
_xtst.XTestFakeMotionEvent.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_ulong]

_NAMES = {" ": "space", "?": "question", ".": "period", ",": "comma", "!": "exclam", "'": "apostrophe",
          "-": "minus", ":": "colon", "\n": "Return"}
_SHIFTED = set("?!:ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class Display:
    def __init__(self, name):
        self.d = _x11.XOpenDisplay(name.encode())
        if not self.d:
            raise RuntimeError(f"cannot open display {name}")

    def _code(self, keysym_name):
        sym = _x11.XStringToKeysym(keysym_name.encode())
        code = _x11.XKeysymToKeycode(self.d, sym)
        if code == 0:
            raise RuntimeError(f"no keycode for {keysym_name}")
        return code

    def chord(self, *names, pause=0.05):
        """Presses keys in order and releases them in reverse: chord("Control_L", "n")."""
        codes = [self._code(n) for n in names]
        for c in codes:
            _xtst.XTestFakeKeyEvent(self.d, c, 1, 0)
        for c in reversed(codes):
            _xtst.XTestFakeKeyEvent(self.d, c, 0, 0)
        _x11.XFlush(self.d)
        time.sleep(pause)

    def type(self, text, pause=0.02):
        for ch in text:
            name = _NAMES.get(ch, ch.lower() if ch in _SHIFTED else ch)
            if ch in _SHIFTED:
                self.chord("Shift_L", name, pause=pause)
            else:
                self.chord(name, pause=pause)

    def scroll(self, x, y, clicks, up=True):
        """Turns the mouse wheel over (x, y): X buttons 4 (up) and 5 (down)."""
        _xtst.XTestFakeMotionEvent(self.d, -1, x, y, 0)
        for _ in range(clicks):
            _xtst.XTestFakeButtonEvent(self.d, 4 if up else 5, 1, 0)
            _xtst.XTestFakeButtonEvent(self.d, 4 if up else 5, 0, 0)
            _x11.XFlush(self.d)
            time.sleep(0.05)

    def click(self, x, y):
        _xtst.XTestFakeMotionEvent(self.d, -1, x, y, 0)
        _xtst.XTestFakeButtonEvent(self.d, 1, 1, 0)
        _xtst.XTestFakeButtonEvent(self.d, 1, 0, 0)
        _x11.XFlush(self.d)
        time.sleep(0.1)
