/* The reference error probe (shared/reference/errprobe.c): every case of libvirt-9.0-error-samples.txt. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
static void show(const char *what) { virErrorPtr e = virGetLastError(); if (!e) { printf("%s: no error\n", what); return; }
  printf("%s: code=%d domain=%d level=%d int1=%d int2=%d str1=%s str2=%s str3=%s msg=%s\n", what, e->code, e->domain, e->level, e->int1, e->int2, e->str1?e->str1:"(null)", e->str2?e->str2:"(null)", e->str3?e->str3:"(null)", e->message); }
static void quiet(void *u, virErrorPtr e) { (void)u; (void)e; }
int main(void) { setvbuf(stdout, NULL, _IONBF, 0); virInitialize();
  virSetErrorFunc(NULL, quiet);
  printf("lastmsg-none=%s\n", virGetLastErrorMessage());
  virDomainDestroyFlags(NULL, 0); show("null-dom");
  virConnectPtr ro = virConnectOpenReadOnly("test:///default");
  virDomainPtr d = virDomainLookupByName(ro, "test");
  virDomainDestroy(d); show("readonly");
  virDomainFree(d);
  virConnectPtr c = virConnectOpen("test:///default");
  d = virDomainLookupByName(c, "nosuch"); show("lookup-missing");
  d = virDomainLookupByName(c, NULL); show("lookup-null");
  d = virDomainLookupByName(c, "test");
  virDomainDestroyFlags(d, 6); show("badflags");
  printf("destroy=%d\n", virDomainDestroy(d)); show("after-success");
  virDomainDestroy(d); show("not-running");
  virDomainPtr x = virDomainCreateXML(c, "<domain type='test'><name>bad", 0); show("badxml");
  x = virDomainCreateXML(c, "<domain type='test'><name>tr</name><memory>1024</memory><os><type>hvm</type></os></domain>", 0);
  virDomainDestroy(x); virDomainDestroy(x); show("stale-transient");
  printf("id-after=%u\n", virDomainGetID(x));
  virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, NULL, NULL, NULL); show("event-null-cb");
  printf("close=%d\n", virConnectClose(c));
  return 0;
}
