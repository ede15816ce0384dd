/* The guest of c-tests/qemu/guestevents.c: a multiboot v1 kernel (qemu -kernel) that makes qemu
 * raise one guest event, chosen by the last character of its command line: r RTC_CHANGE,
 * w WATCHDOG, s SUSPEND (once), d BLOCK_IO_ERROR, b BALLOON_CHANGE (each time the host asks the
 * balloon for a new size); anything else idles. */
        .set MB_MAGIC, 0x1BADB002
        .set MB_FLAGS, 0
        .text
        .align 4
        .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

        .set CMOS_INDEX, 0x70
        .set CMOS_DATA, 0x71
        .set RTC_REG_B, 0x0B
        .set RTC_SET, 0x80
        .set CMOS_MARK, 0x7E        /* free CMOS byte: 1 once the guest has suspended */
        .set IB700_ENABLE, 0x443
        .set IB700_2S, 0x0E
        .set PM1A_CNT, 0x604        /* SeaBIOS's PIIX4 PM base 0x600 + 4 */
        .set SLP_S3, (1 << 10) | (1 << 13)
        .set ATA_DATA, 0x1F0
        .set ATA_STATUS, 0x1F7
        .set PCI_ADDRESS, 0xCF8
        .set PCI_DATA, 0xCFC
        .set PCI_ENABLE, 0x80000000
        .set PCI_COMMAND, 0x04
        .set PCI_BAR0, 0x10
        .set PCI_IO_ON, 0x1
        .set VIRTIO_BALLOON_ID, 0x10021AF4  /* device 0x1002 (legacy balloon), vendor 0x1af4 */
        .set BALLOON_NUM_PAGES, 20  /* legacy config after the 20-byte header (no MSI-X) */
        .set BALLOON_ACTUAL, 24

        .globl _start
_start:
        mov $stack_top, %esp
        mov 16(%ebx), %esi          /* multiboot info: the command line */
1:      lodsb
        test %al, %al
        jnz 1b
        movb -2(%esi), %al
        cmp $'r', %al
        je rtc
        cmp $'w', %al
        je watchdog
        cmp $'s', %al
        je suspend
        cmp $'d', %al
        je disk
        cmp $'b', %al
        je balloon
idle:   cli
        hlt
        jmp idle

/* cmos_write index=%ah value=%al */
cmos_write:
        xchg %al, %ah
        out %al, $CMOS_INDEX
        xchg %al, %ah
        out %al, $CMOS_DATA
        ret

/* The clock set to 2000-01-01 00:00:00 (BCD) while stopped; restarting it is the change. */
rtc:
        mov $RTC_REG_B, %al
        out %al, $CMOS_INDEX
        in $CMOS_DATA, %al
        mov %al, %bl
        mov $RTC_REG_B, %ah
        mov %bl, %al
        or $RTC_SET, %al
        call cmos_write
        mov $0x00, %ax              /* seconds */
        call cmos_write
        mov $0x0200, %ax            /* minutes */
        call cmos_write
        mov $0x0400, %ax            /* hours */
        call cmos_write
        mov $0x0701, %ax            /* day of month */
        call cmos_write
        mov $0x0801, %ax            /* month */
        call cmos_write
        mov $0x0900, %ax            /* year */
        call cmos_write
        mov $0x3220, %ax            /* century */
        call cmos_write
        mov $RTC_REG_B, %ah
        mov %bl, %al
        and $~RTC_SET, %al
        call cmos_write
        jmp idle

/* The ib700 armed for 2 s and never fed. */
watchdog:
        mov $IB700_2S, %al
        mov $IB700_ENABLE, %dx
        out %al, %dx
        jmp idle

/* ACPI S3 once: after the wake-up the BIOS has no resume vector and reboots into us again. */
suspend:
        mov $CMOS_MARK, %al
        out %al, $CMOS_INDEX
        in $CMOS_DATA, %al
        test %al, %al
        jnz idle
        mov $CMOS_MARK << 8 | 1, %ax
        call cmos_write
        mov $SLP_S3, %ax
        mov $PM1A_CNT, %dx
        out %ax, %dx
        jmp idle

/* One sector written to LBA 0 of the primary master (PIO). */
disk:
        mov $ATA_STATUS, %dx
1:      in %dx, %al
        test $0x80, %al             /* BSY */
        jnz 1b
        mov $0x1F6, %dx
        mov $0xE0, %al              /* LBA, master */
        out %al, %dx
        mov $0x1F2, %dx
        mov $1, %al                 /* one sector */
        out %al, %dx
        xor %al, %al
        mov $0x1F3, %dx
        out %al, %dx
        inc %dx
        out %al, %dx
        inc %dx
        out %al, %dx
        mov $ATA_STATUS, %dx
        mov $0x30, %al              /* WRITE SECTORS */
        out %al, %dx
2:      in %dx, %al
        test $0x08, %al             /* DRQ */
        jz 2b
        mov $256, %ecx
        mov $ATA_DATA, %dx
        mov $_start, %esi
        rep outsw
        jmp idle

/* pci_read: config register %ecx of bus 0 device %ebx -> %eax */
pci_read:
        mov %ebx, %eax
        shl $11, %eax
        or %ecx, %eax
        or $PCI_ENABLE, %eax
        mov $PCI_ADDRESS, %dx
        out %eax, %dx
        mov $PCI_DATA, %dx
        in %dx, %eax
        ret

/* The legacy virtio balloon found on bus 0, its I/O space turned on; then for ever: the size
 * the host asks for (num_pages) taken as the balloon's size (actual), without any virtqueue. */
balloon:
        xor %ebx, %ebx
1:      xor %ecx, %ecx
        call pci_read
        cmp $VIRTIO_BALLOON_ID, %eax
        je 2f
        inc %ebx
        cmp $32, %ebx
        jb 1b
        jmp idle
2:      mov $PCI_COMMAND, %ecx
        call pci_read
        or $PCI_IO_ON, %eax
        mov $PCI_DATA, %dx
        out %eax, %dx
        mov $PCI_BAR0, %ecx
        call pci_read
        and $~3, %eax
        mov %eax, %edi
3:      lea BALLOON_NUM_PAGES(%edi), %edx
        in %dx, %eax
        lea BALLOON_ACTUAL(%edi), %edx
        mov %eax, %ecx
        in %dx, %eax
        cmp %eax, %ecx
        je 3b
        mov %ecx, %eax
        out %eax, %dx
        jmp 3b

        .bss
        .align 16
        .skip 4096
stack_top:
