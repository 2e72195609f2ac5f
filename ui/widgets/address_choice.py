"""The address a host's desks connect to: this laptop's addresses (app.sync.lan, best first, each
with its adapter's name) in an editable combo box, so the chair can pick the venue network's
card when the laptop has several, or type one."""

from __future__ import annotations

import ipaddress

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget

from app.sync.lan import LanAddress, lan_addresses


class AddressChoice(QComboBox):
    chosen = Signal(str)   # an address picked from the list or typed (Enter / leaving the box)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setAccessibleName("签到台连接的地址")
        self.setToolTip("签到台连接本机用的地址：选会场网络（连着签到台的网卡或 WLAN）的那一个；"
                        "列表是本机的全部地址，也可以直接输入")
        self.setMinimumContentsLength(22)
        self.activated.connect(lambda _i: self.chosen.emit(self.address()))
        line = self.lineEdit()
        assert line is not None
        line.editingFinished.connect(lambda: self.chosen.emit(self.address()))
        self.reload()

    def reload(self, found: list[LanAddress] | None = None) -> None:
        """List the machine's addresses again (a cable plugged in, Wi-Fi joined); the address
        shown stays if it is still one of them or was typed, else the best one is shown."""
        keep = self.address()
        typed = keep and self.findData(keep) < 0   # not one of the listed addresses
        addresses = found if found is not None else lan_addresses()
        self.blockSignals(True)
        self.clear()
        for a in addresses:
            self.addItem(a.label(), a.address)
        at = self.findData(keep) if keep else -1
        if at >= 0:
            self.setCurrentIndex(at)
        elif typed:
            self.setEditText(keep)
        else:
            self.setCurrentIndex(0)
        self.blockSignals(False)

    def address(self) -> str:
        """The address chosen: the item's, or the typed text up to any （adapter） label."""
        text = self.currentText().strip()
        at = self.findText(text)
        if at >= 0:
            return str(self.itemData(at))
        return text.split("（")[0].strip()

    def setText(self, text: str) -> None:  # noqa: N802 (the QLineEdit name this box replaced)
        self.setEditText(text)

    def problem(self) -> str:
        """Why the address cannot go into a pairing code, or ""."""
        address = self.address()
        if not address:
            return "请选择或输入本机在会场网络的地址"
        try:
            ipaddress.IPv4Address(address)
        except ValueError:
            return f"“{address}”不是 IPv4 地址（形如 192.168.1.20）"
        return ""
