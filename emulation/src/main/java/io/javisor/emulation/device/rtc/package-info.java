/**
 * The goldfish RTC of QEMU's {@code virt} board (Linux {@code rtc-goldfish}): the guest's wall clock
 * starts at the host's time. Files as every device package: register descriptor, model, statistics.
 */
package io.javisor.emulation.device.rtc;
