// A Go program linking libvirt.so.0, libvirt-qemu.so.0 and libvirt-lxc.so.0 through Debian's Go
// bindings (golang-github-libvirt-libvirt-go-dev): tests/go.sh builds it once and runs it on
// Debian's libraries and on ours; the outputs must be equal.
package main

import (
	"fmt"
	"os"

	libvirt "github.com/libvirt/libvirt-go"
)

func report(what string, err error) {
	if err == nil {
		fmt.Printf("%s: ok\n", what)
		return
	}
	if e, ok := err.(libvirt.Error); ok {
		fmt.Printf("%s: code=%d domain=%d message=%s\n", what, e.Code, e.Domain, e.Message)
		return
	}
	fmt.Printf("%s: %v\n", what, err)
}

func main() {
	ver, err := libvirt.GetVersion()
	report("GetVersion", err)
	fmt.Printf("version %d\n", ver)
	conn, err := libvirt.NewConnect("test:///default")
	report("NewConnect", err)
	if err != nil {
		os.Exit(1)
	}
	defer conn.Close()
	doms, err := conn.ListAllDomains(0)
	report("ListAllDomains", err)
	for _, d := range doms {
		name, _ := d.GetName()
		id, _ := d.GetID()
		fmt.Printf("domain %s id %d\n", name, id)
	}
	dom, err := conn.LookupDomainByName("test")
	report("LookupDomainByName", err)
	if err == nil {
		_, err = dom.QemuMonitorCommand(`{"execute":"query-status"}`, libvirt.DOMAIN_QEMU_MONITOR_COMMAND_DEFAULT)
		report("QemuMonitorCommand", err)
		_, err = dom.QemuAgentCommand(`{"execute":"guest-ping"}`, libvirt.DOMAIN_QEMU_AGENT_COMMAND_DEFAULT, 0)
		report("QemuAgentCommand", err)
		_, err = dom.LxcOpenNamespace(0)
		report("LxcOpenNamespace", err)
		dom.Free()
	}
	for _, d := range doms {
		d.Free()
	}
}
