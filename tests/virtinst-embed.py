"""Debian's virt-install on an embedded driver URI: virt-install registers no event loop, which
the embedded qemu driver requires ("An event loop implementation must be registered"), so this
registers libvirt's default one on a thread and runs virt-install in this process.
usage: /usr/bin/python3 tests/virtinst-embed.py VIRT-INSTALL-ARGS..."""
import runpy
import sys
import threading

import libvirt

libvirt.virEventRegisterDefaultImpl()


def run_event_loop():
    while True:
        libvirt.virEventRunDefaultImpl()


threading.Thread(target=run_event_loop, daemon=True).start()
sys.argv = ["virt-install"] + sys.argv[1:]
runpy.run_path("/usr/bin/virt-install", run_name="__main__")
