# libvirt0's other libraries through Debian's python3-libvirt (issue 17): `import libvirt_qemu,
# libvirt_lxc` must load, and a QMP command, a human monitor command and the refusals must come
# back as from libvirt 9.0's embedded qemu driver. tests/qemu.sh runs this on the reference and on
# ours and compares the outputs. usage: python3 libs.py ROOT EMULATOR
import json
import sys
import threading

import libvirt
import libvirt_lxc
import libvirt_qemu

root, emulator = sys.argv[1], sys.argv[2]
libvirt.registerErrorHandler(lambda ctx, err: None, None)
libvirt.virEventRegisterDefaultImpl()
threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)],
                 daemon=True).start()


def error(what, e):
    print(f"{what}: error code={e.get_error_code()} domain={e.get_error_domain()} "
          f"msg={e.get_error_message()}")


def reply(text):
    """A QMP reply without its id (each library numbers its own commands)."""
    v = json.loads(text)
    v.pop("id", None)
    return json.dumps(v, sort_keys=True)


conn = libvirt.open(f"qemu:///embed?root={root}")
xml = (f"<domain type='qemu'><name>libs</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
       f"<os><type arch='x86_64'>hvm</type></os><devices><emulator>{emulator}</emulator>"
       f"</devices></domain>")
dom = conn.createXML(xml, 0)
print("created", dom.name())
for cmd in ['{"execute":"query-status"}', '{"execute":"query-name"}',
            '{"execute":"query-kvm"}', '{"execute":"no-such-command"}',
            '{"execute":"qom-get","arguments":{"path":"/machine","property":"type"}}']:
    try:
        print(cmd, "->", reply(libvirt_qemu.qemuMonitorCommand(dom, cmd, 0)))
    except libvirt.libvirtError as e:
        error(cmd, e)
for cmd in ["info status", "info name"]:
    try:
        print("hmp", cmd, "->", repr(libvirt_qemu.qemuMonitorCommand(
            dom, cmd, libvirt_qemu.VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP)))
    except libvirt.libvirtError as e:
        error("hmp " + cmd, e)
for what, call in [
        ("monitor command flags 2", lambda: libvirt_qemu.qemuMonitorCommand(dom, "{}", 2)),
        ("agent command", lambda: libvirt_qemu.qemuAgentCommand(dom, '{"execute":"guest-ping"}', 5, 0)),
        ("attach", lambda: libvirt_qemu.qemuAttach(conn, 12345, 0)),
        ("lxc open namespace", lambda: libvirt_lxc.lxcOpenNamespace(dom, 0))]:
    try:
        print(what, "->", call())
    except libvirt.libvirtError as e:
        error(what, e)
dom.destroy()
try:
    libvirt_qemu.qemuMonitorCommand(dom, '{"execute":"query-status"}', 0)
except libvirt.libvirtError as e:
    error("monitor command after destroy", e)
conn.close()
print("done")
