import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

const NODE_ID = /^[A-Za-z0-9_.-]{1,64}$/;

export class AddMemberBody {
  @ApiProperty({ example: 'node-4' })
  @IsString()
  @Matches(NODE_ID, { message: 'id must be 1-64 characters of [A-Za-z0-9_.-]' })
  id!: string;

  @ApiProperty({ example: 'http://127.0.0.1:7004', description: 'where the other nodes reach it' })
  @IsString()
  @Matches(/^https?:\/\/[^\s,]+$/, { message: 'url must be an http(s) URL' })
  url!: string;
}

export class TransferLeaderBody {
  @ApiProperty({ example: 'node-2' })
  @IsString()
  @Matches(NODE_ID, { message: 'to must be a node id' })
  to!: string;
}
