package mqttlink

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
)

// capConn passes an MQTT 3.1.1 byte stream through to paho, except the
// payload of a PUBLISH packet larger than max: that payload is read and
// thrown away as it arrives, never held in memory, and paho receives the
// same packet (topic, packet id, flags) with an empty payload, so it
// acknowledges it as usual. drop is told the topic and the size thrown
// away. MQTT 3.1.1 has no maximum-packet-size property to ask the broker
// for, so this is the earliest a client can refuse a payload.
type capConn struct {
	net.Conn
	r    *bufio.Reader
	max  int64
	drop func(topic string, size int64)

	out  []byte // bytes ready for paho
	left int64  // bytes of the current packet still to pass through
}

func newCapConn(c net.Conn, max int64, drop func(string, int64)) *capConn {
	return &capConn{Conn: c, r: bufio.NewReaderSize(c, 16<<10), max: max, drop: drop}
}

func (c *capConn) Read(p []byte) (int, error) {
	for len(c.out) == 0 && c.left == 0 {
		if err := c.next(); err != nil {
			return 0, err
		}
	}
	if len(c.out) > 0 {
		n := copy(p, c.out)
		c.out = c.out[n:]
		return n, nil
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// errPacket: the broker sent bytes that are not an MQTT packet.
var errPacket = errors.New("mqttlink: malformed packet from the broker")

// next reads the next packet's fixed header and decides what to pass on.
func (c *capConn) next() error {
	first, err := c.r.ReadByte()
	if err != nil {
		return err
	}
	head := []byte{first}
	var length int64
	for i, mult := 0, int64(1); ; i, mult = i+1, mult*128 {
		if i == 4 {
			return fmt.Errorf("%w: remaining length over 4 bytes", errPacket)
		}
		b, err := c.r.ReadByte()
		if err != nil {
			return err
		}
		head = append(head, b)
		length += int64(b&0x7f) * mult
		if b&0x80 == 0 {
			break
		}
	}
	const publish = 3
	if first>>4 != publish || length <= c.max {
		c.out, c.left = head, length
		return nil
	}
	// A PUBLISH that may be over the cap: read its variable header.
	var tl [2]byte
	if _, err := io.ReadFull(c.r, tl[:]); err != nil {
		return err
	}
	vh := int64(2 + binary.BigEndian.Uint16(tl[:]))
	if qos := (first >> 1) & 3; qos > 0 {
		vh += 2
	}
	if vh > length {
		return fmt.Errorf("%w: PUBLISH variable header of %d bytes in a %d-byte packet", errPacket, vh, length)
	}
	rest := make([]byte, vh-2)
	if _, err := io.ReadFull(c.r, rest); err != nil {
		return err
	}
	varHeader := append(tl[:], rest...)
	payload := length - vh
	if payload <= c.max {
		c.out, c.left = append(head, varHeader...), payload
		return nil
	}
	if _, err := io.CopyN(io.Discard, c.r, payload); err != nil {
		return err
	}
	c.drop(string(rest[:binary.BigEndian.Uint16(tl[:])]), payload)
	c.out = append(append([]byte{first}, encodeLength(vh)...), varHeader...)
	return nil
}

// encodeLength is MQTT's variable-length integer.
func encodeLength(n int64) []byte {
	var out []byte
	for {
		b := byte(n % 128)
		n /= 128
		if n > 0 {
			b |= 0x80
		}
		out = append(out, b)
		if n == 0 {
			return out
		}
	}
}
