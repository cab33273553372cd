import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Text {
  id: Uint8Array<ArrayBuffer>
  sentAt: bigint
  seq: bigint
  body: string
}

export namespace Text {
  let _codec: Codec<Text>

  export const codec = (): Codec<Text> => {
    if (_codec == null) {
      _codec = message<Text>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.id)
        }

        if ((obj.sentAt != null && obj.sentAt !== 0n)) {
          w.uint32(16)
          w.uint64(obj.sentAt)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(24)
          w.uint64(obj.seq)
        }

        if ((obj.body != null && obj.body !== '')) {
          w.uint32(34)
          w.string(obj.body)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: uint8ArrayAlloc(0),
          sentAt: 0n,
          seq: 0n,
          body: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.bytes()
              break
            }
            case 2: {
              obj.sentAt = reader.uint64()
              break
            }
            case 3: {
              obj.seq = reader.uint64()
              break
            }
            case 4: {
              obj.body = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.sentAt`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.body`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface TextIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TextSentAtFieldEvent {
    field: '$.sentAt'
    value: bigint
  }

  export interface TextSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface TextBodyFieldEvent {
    field: '$.body'
    value: string
  }

  export function encode (obj: Partial<Text>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Text.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Text>): Text {
    return decodeMessage(buf, Text.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Text>): Generator<TextIdFieldEvent | TextSentAtFieldEvent | TextSeqFieldEvent | TextBodyFieldEvent> {
    return streamMessage(buf, Text.codec(), opts)
  }
}

export interface Ack {
  ids: Uint8Array<ArrayBuffer>[]
}

export namespace Ack {
  let _codec: Codec<Ack>

  export const codec = (): Codec<Ack> => {
    if (_codec == null) {
      _codec = message<Ack>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.ids != null && obj.ids.length > 0) {
          for (const value of obj.ids) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ids: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.ids != null && obj.ids.length === opts.limits.ids) {
                throw new MaxLengthError('Decode error - repeated field "ids" had too many elements')
              }

              obj.ids.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          ids: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.ids != null && obj.ids === opts.limits.ids) {
                throw new MaxLengthError('Streaming decode error - repeated field "ids" had too many elements')
              }

              yield {
                field: `${prefix}.ids[]`,
                index: obj.ids,
                value: reader.bytes()
              }

              obj.ids++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AckIdsFieldEvent {
    field: '$.ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Ack>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Ack.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ack>): Ack {
    return decodeMessage(buf, Ack.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ack>): Generator<AckIdsFieldEvent> {
    return streamMessage(buf, Ack.codec(), opts)
  }
}

export interface Read {
  ids: Uint8Array<ArrayBuffer>[]
}

export namespace Read {
  let _codec: Codec<Read>

  export const codec = (): Codec<Read> => {
    if (_codec == null) {
      _codec = message<Read>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.ids != null && obj.ids.length > 0) {
          for (const value of obj.ids) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ids: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.ids != null && obj.ids.length === opts.limits.ids) {
                throw new MaxLengthError('Decode error - repeated field "ids" had too many elements')
              }

              obj.ids.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          ids: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.ids != null && obj.ids === opts.limits.ids) {
                throw new MaxLengthError('Streaming decode error - repeated field "ids" had too many elements')
              }

              yield {
                field: `${prefix}.ids[]`,
                index: obj.ids,
                value: reader.bytes()
              }

              obj.ids++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ReadIdsFieldEvent {
    field: '$.ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Read>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Read.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Read>): Read {
    return decodeMessage(buf, Read.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Read>): Generator<ReadIdsFieldEvent> {
    return streamMessage(buf, Read.codec(), opts)
  }
}

export interface Profile {
  name: string
}

export namespace Profile {
  let _codec: Codec<Profile>

  export const codec = (): Codec<Profile> => {
    if (_codec == null) {
      _codec = message<Profile>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ProfileNameFieldEvent {
    field: '$.name'
    value: string
  }

  export function encode (obj: Partial<Profile>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Profile.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Profile>): Profile {
    return decodeMessage(buf, Profile.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Profile>): Generator<ProfileNameFieldEvent> {
    return streamMessage(buf, Profile.codec(), opts)
  }
}

export interface Typing {
  active: boolean
}

export namespace Typing {
  let _codec: Codec<Typing>

  export const codec = (): Codec<Typing> => {
    if (_codec == null) {
      _codec = message<Typing>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.active != null && obj.active !== false)) {
          w.uint32(8)
          w.bool(obj.active)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          active: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.active = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.active`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface TypingActiveFieldEvent {
    field: '$.active'
    value: boolean
  }

  export function encode (obj: Partial<Typing>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Typing.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Typing>): Typing {
    return decodeMessage(buf, Typing.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Typing>): Generator<TypingActiveFieldEvent> {
    return streamMessage(buf, Typing.codec(), opts)
  }
}

export interface Frame {
  text?: Text
  ack?: Ack
  read?: Read
  profile?: Profile
  typing?: Typing
}

export namespace Frame {
  let _codec: Codec<Frame>

  export const codec = (): Codec<Frame> => {
    if (_codec == null) {
      _codec = message<Frame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.text != null) {
          w.uint32(10)
          Text.codec().encode(obj.text, w)
        }

        if (obj.ack != null) {
          w.uint32(18)
          Ack.codec().encode(obj.ack, w)
        }

        if (obj.read != null) {
          w.uint32(26)
          Read.codec().encode(obj.read, w)
        }

        if (obj.profile != null) {
          w.uint32(34)
          Profile.codec().encode(obj.profile, w)
        }

        if (obj.typing != null) {
          w.uint32(42)
          Typing.codec().encode(obj.typing, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.text = Text.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.text
              })
              break
            }
            case 2: {
              obj.ack = Ack.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ack
              })
              break
            }
            case 3: {
              obj.read = Read.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.read
              })
              break
            }
            case 4: {
              obj.profile = Profile.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.profile
              })
              break
            }
            case 5: {
              obj.typing = Typing.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.typing
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * Text.codec().stream(reader, reader.uint32(), `${prefix}.text`, {
                limits: opts.limits?.text
              })

              break
            }
            case 2: {
              yield * Ack.codec().stream(reader, reader.uint32(), `${prefix}.ack`, {
                limits: opts.limits?.ack
              })

              break
            }
            case 3: {
              yield * Read.codec().stream(reader, reader.uint32(), `${prefix}.read`, {
                limits: opts.limits?.read
              })

              break
            }
            case 4: {
              yield * Profile.codec().stream(reader, reader.uint32(), `${prefix}.profile`, {
                limits: opts.limits?.profile
              })

              break
            }
            case 5: {
              yield * Typing.codec().stream(reader, reader.uint32(), `${prefix}.typing`, {
                limits: opts.limits?.typing
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface FrameTextIdFieldEvent {
    field: '$.text.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameTextSentAtFieldEvent {
    field: '$.text.sentAt'
    value: bigint
  }

  export interface FrameTextSeqFieldEvent {
    field: '$.text.seq'
    value: bigint
  }

  export interface FrameTextBodyFieldEvent {
    field: '$.text.body'
    value: string
  }

  export interface FrameAckIdsFieldEvent {
    field: '$.ack.ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameReadIdsFieldEvent {
    field: '$.read.ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameProfileNameFieldEvent {
    field: '$.profile.name'
    value: string
  }

  export interface FrameTypingActiveFieldEvent {
    field: '$.typing.active'
    value: boolean
  }

  export function encode (obj: Partial<Frame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Frame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Frame {
    return decodeMessage(buf, Frame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Generator<FrameTextIdFieldEvent | FrameTextSentAtFieldEvent | FrameTextSeqFieldEvent | FrameTextBodyFieldEvent | FrameAckIdsFieldEvent | FrameReadIdsFieldEvent | FrameProfileNameFieldEvent | FrameTypingActiveFieldEvent> {
    return streamMessage(buf, Frame.codec(), opts)
  }
}
