"""The Socket.IO packets pinboard sends: JSON text only.

python-socketio walks every packet's data looking for bytes to send as binary attachments; for a
full snapshot of thousands of cards that walk costs twice the JSON encoding itself. pinboard
never sends bytes, so its packets skip the walk (the protocol stays standard Socket.IO).
"""

from __future__ import annotations

from socketio.packet import Packet


class TextPacket(Packet):  # type: ignore[misc]
    uses_binary_events = False
