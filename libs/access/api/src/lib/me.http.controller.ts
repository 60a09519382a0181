import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticatedProblems, currentPrincipal, RequirePermission } from '@attest/http';

export class MeResponseDto {
  @ApiProperty({ example: 'apiKey:0190…' }) actor!: string;
  @ApiProperty({ example: 'demo' }) tenantId!: string;
  @ApiProperty({ example: ['service'] }) roles!: string[];
  @ApiProperty({ example: ['profile:read', 'event-log:read'] }) permissions!: string[];
  @ApiProperty({ enum: ['api-key', 'jwt', 'session'] }) via!: 'api-key' | 'jwt' | 'session';
}

@ApiTags('access')
@ApiBearerAuth()
@Controller('v1/me')
export class MeController {
  @Get()
  @RequirePermission('profile:read')
  @ApiOperation({ summary: 'Who am I: actor, tenant, roles and permissions of the credential' })
  @ApiOkResponse({ type: MeResponseDto })
  @ApiAuthenticatedProblems()
  me(): MeResponseDto {
    const principal = currentPrincipal();
    return {
      actor: principal.actor,
      tenantId: principal.tenantId,
      roles: [...principal.roles],
      permissions: [...principal.permissions].sort(),
      via: principal.via,
    };
  }
}
