import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmptyObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import {
  ACCOUNT_POLICY,
  CHANNELS,
  HOLD_KINDS,
  REJECTION_REASONS,
  STATUS_REASONS,
  type AccountKind,
  type AccountStatus,
  type Channel,
  type HoldKind,
  type RejectionReason,
  type StatusReason,
  type Verification,
} from '@attest/accounts-domain';
import type { AccountView, StatusChangeView } from '@attest/accounts-application';
import { QueryWholeNumber } from '@attest/http';

const PHONE = /^\+[1-9][0-9 ()-]{6,20}$/;
const TENANT_ID = /^[a-z][a-z0-9-]{2,62}$/;
const REF = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const SLUG = /^[a-z0-9][a-z0-9-]{1,63}$/;

export class ContactDto {
  @ApiProperty({ example: 'Li Wei' }) @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiPropertyOptional({ example: 'li.wei@example.com', nullable: true, type: String }) @IsOptional() @IsEmail() @MaxLength(254) email?: string | null;
  @ApiPropertyOptional({ example: '+8613800000000', nullable: true, type: String, description: 'E.164 with a leading +' })
  @IsOptional()
  @Matches(PHONE)
  phone?: string | null;
}

export class LicenceEvidenceDto {
  @ApiProperty({ example: 'docs/licences/acme-2026.pdf', description: 'Reference in your document store (no personal data)' })
  @IsString()
  @Matches(REF)
  documentRef!: string;
  @ApiProperty({ example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }) @Matches(/^[0-9a-f]{64}$/) sha256!: string;
}

export class RegisterEnterpriseRequestDto {
  @ApiProperty({ example: 'acme', description: 'The tenant id to create: lowercase letters, digits, dashes' }) @Matches(TENANT_ID) tenantId!: string;
  @ApiProperty({ example: 'Acme Trading Co., Ltd.' }) @IsString() @MinLength(2) @MaxLength(300) legalName!: string;
  @ApiProperty({ example: '91310000MA1K000000' }) @Matches(/^[A-Za-z0-9][A-Za-z0-9 -]{3,39}$/) registrationNumber!: string;
  @ApiProperty({ type: ContactDto }) @IsNotEmptyObject() @ValidateNested() @Type(() => ContactDto) contact!: ContactDto;
  @ApiProperty({ type: LicenceEvidenceDto }) @IsNotEmptyObject() @ValidateNested() @Type(() => LicenceEvidenceDto) evidence!: LicenceEvidenceDto;
}

export class PhoneCodeRequestDto {
  @ApiProperty({ example: '+8613800000000' }) @Matches(PHONE) phone!: string;
}

export class RegisterPersonalUserRequestDto {
  @ApiProperty() @IsUUID() challengeId!: string;
  @ApiProperty({ example: '123456' }) @Matches(/^[0-9]{6}$/) code!: string;
  @ApiProperty({ example: '1990-04-01', description: `ISO date; at least ${String(ACCOUNT_POLICY.minimumAge)} years ago (A2)` })
  @Matches(DATE)
  @IsISO8601({ strict: true })
  birthDate!: string;
}

export class AccountCodeRequestDto {
  @ApiProperty({ enum: ['reactivation', 'evidence'] }) @IsIn(['reactivation', 'evidence']) purpose!: 'reactivation' | 'evidence';
}

export class CodeProofDto {
  @ApiProperty() @IsUUID() challengeId!: string;
  @ApiProperty({ example: '123456' }) @Matches(/^[0-9]{6}$/) code!: string;
}

export class EvidenceWithCodeRequestDto extends CodeProofDto {
  @ApiProperty({ type: LicenceEvidenceDto }) @IsNotEmptyObject() @ValidateNested() @Type(() => LicenceEvidenceDto) evidence!: LicenceEvidenceDto;
}

export class InvitationTokenDto {
  @ApiProperty() @Matches(/^[A-Za-z0-9_-]{20,64}$/) token!: string;
}

export class GuardianDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiProperty({ enum: ['parent', 'legal-guardian'] }) @IsIn(['parent', 'legal-guardian']) relationship!: 'parent' | 'legal-guardian';
}

export class MinorConsentDto {
  @ApiProperty({ type: GuardianDto }) @IsNotEmptyObject() @ValidateNested() @Type(() => GuardianDto) guardian!: GuardianDto;
  // Each reference may be missing: the decider then refuses that invitation alone, with its own code (A12).
  @ApiPropertyOptional({ description: 'Reference to the recorded guardian consent; without it this entry is refused (INVITATION.GUARDIAN_CONSENT_REQUIRED)' })
  @IsOptional()
  @Matches(REF)
  guardianConsentRef?: string;
  @ApiPropertyOptional({
    description: 'Reference to the identity verification of the minor; without it this entry is refused (INVITATION.IDENTITY_VERIFICATION_REQUIRED)',
  })
  @IsOptional()
  @Matches(REF)
  minorIdentityRef?: string;
  @ApiPropertyOptional({
    description: 'Reference to the identity verification of the guardian; without it this entry is refused (INVITATION.IDENTITY_VERIFICATION_REQUIRED)',
  })
  @IsOptional()
  @Matches(REF)
  guardianIdentityRef?: string;
}

export class InvitationDto {
  @ApiPropertyOptional({ nullable: true, type: String }) @IsOptional() @IsUUID() departmentId?: string | null;
  @ApiProperty({ type: ContactDto }) @IsNotEmptyObject() @ValidateNested() @Type(() => ContactDto) contact!: ContactDto;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Needed to invite a minor (A12)' })
  @IsOptional()
  @Matches(DATE)
  @IsISO8601({ strict: true })
  birthDate?: string | null;
  @ApiPropertyOptional({ type: MinorConsentDto, nullable: true }) @IsOptional() @ValidateNested() @Type(() => MinorConsentDto) minor?: MinorConsentDto | null;
}

export class InviteRequestDto {
  @ApiProperty({ type: InvitationDto, isArray: true, description: 'Contacts from your list; up to 500 per call' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => InvitationDto)
  invitations!: InvitationDto[];
}

export class InvitationOutcomeDto {
  @ApiProperty() index!: number;
  @ApiProperty({ enum: ['invited', 'refused'] }) status!: 'invited' | 'refused';
  @ApiPropertyOptional() accountId?: string;
  @ApiPropertyOptional() expiresAt?: string;
  @ApiPropertyOptional() code?: string;
  @ApiPropertyOptional() detail?: string;
}

export class NoteRequestDto {
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Free text; stored encrypted as personal data' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string | null;
}

export class TransferRequestDto {
  @ApiPropertyOptional({ description: 'The would-be new owner, if named; the request is always refused (A4) and this is not stored' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  newOwner?: string;
}

export class CreateDepartmentRequestDto {
  @ApiProperty({ example: 'Sales' }) @IsString() @MinLength(1) @MaxLength(120) name!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) @IsOptional() @IsUUID() parentId?: string | null;
}

export class RenameDepartmentRequestDto {
  @ApiProperty({ example: 'Sales & Marketing' }) @IsString() @MinLength(1) @MaxLength(120) name!: string;
}

export class MoveMemberRequestDto {
  @ApiProperty({ nullable: true, type: String }) @IsOptional() @IsUUID() departmentId!: string | null;
}

export class SettingsRequestDto {
  @ApiProperty({ description: 'A9: end users need approval to unbind' }) @IsBoolean() unbindingApprovalRequired!: boolean;
}

export class BindChannelRequestDto {
  @ApiProperty({ enum: CHANNELS }) @IsIn(CHANNELS) channel!: Channel;
  @ApiProperty({ example: '+8613800000000', description: 'The number or id at the channel; stored encrypted' })
  @IsString()
  @Matches(/^[A-Za-z0-9+][A-Za-z0-9+ ._@-]{2,99}$/)
  externalAccountId!: string;
}

export class FunctionDeletionRequestDto {
  @ApiProperty({ example: 'call-recording', description: 'The function whose data is to be deleted (A11)' }) @Matches(SLUG) function!: string;
}

export class VerificationRequestDto {
  @ApiProperty({ enum: ['verified', 'rejected'] }) @IsIn(['verified', 'rejected']) outcome!: 'verified' | 'rejected';
  @ApiPropertyOptional({ enum: REJECTION_REASONS, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(REJECTION_REASONS.length)
  @IsIn(REJECTION_REASONS, { each: true })
  reasons?: RejectionReason[];
}

export const STATUS_ACTIONS = ['restrict', 'suspend', 'revoke', 'reactivate'] as const;
export class StatusRequestDto {
  @ApiProperty({ enum: STATUS_ACTIONS }) @IsIn(STATUS_ACTIONS) action!: (typeof STATUS_ACTIONS)[number];
  @ApiProperty({ enum: STATUS_REASONS }) @IsIn(STATUS_REASONS) reason!: StatusReason;
  @ApiPropertyOptional({ nullable: true, type: String }) @IsOptional() @IsString() @MaxLength(1000) note?: string | null;
}

export class HoldRequestDto {
  @ApiProperty({ enum: HOLD_KINDS }) @IsIn(HOLD_KINDS) kind!: HoldKind;
  @ApiProperty({ example: 'case-2026-117', description: 'Your case or transaction reference (no personal data)' }) @Matches(REF) reference!: string;
}

export const AGREEMENT_ACTIONS = ['start', 'renew', 'terminate', 'expire'] as const;
export class AgreementRequestDto {
  @ApiProperty({ enum: AGREEMENT_ACTIONS }) @IsIn(AGREEMENT_ACTIONS) action!: (typeof AGREEMENT_ACTIONS)[number];
  @ApiPropertyOptional({ example: '2026-01-01' }) @IsOptional() @Matches(DATE) @IsISO8601({ strict: true }) startsOn?: string;
  @ApiPropertyOptional({ example: '2027-12-31' }) @IsOptional() @Matches(DATE) @IsISO8601({ strict: true }) endsOn?: string;
}

export class ListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() after?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @QueryWholeNumber() @IsInt() @Min(1) @Max(200) limit?: number;
}

export class HoldDto {
  @ApiProperty() holdId!: string;
  @ApiProperty({ enum: HOLD_KINDS }) kind!: HoldKind;
  @ApiProperty() reference!: string;
}

export class AgreementDto {
  @ApiProperty() agreementId!: string;
  @ApiProperty({ enum: ['active', 'ended'] }) status!: 'active' | 'ended';
  @ApiProperty() endsOn!: string;
  @ApiProperty({ nullable: true, type: String }) personalDataDeletionDueOn!: string | null;
}

export class AccountDto {
  @ApiProperty() accountId!: string;
  @ApiProperty() tenantId!: string;
  @ApiProperty({ enum: ['enterprise', 'personal', 'member'] }) kind!: AccountKind;
  @ApiProperty({ enum: ['invited', 'active', 'restricted', 'suspended', 'revoked', 'cancelled', 'unbound', 'invitation-closed'] }) status!: AccountStatus;
  @ApiProperty({ enum: ['pending', 'verified', 'rejected'], nullable: true }) verification!: Verification | null;
  @ApiProperty({ nullable: true, type: String }) legalName!: string | null;
  @ApiProperty({
    type: LicenceEvidenceDto,
    nullable: true,
    description: 'A1: the licence evidence an enterprise registered or last resubmitted; null for other accounts',
  })
  licenceEvidence!: LicenceEvidenceDto | null;
  @ApiProperty({ nullable: true, type: String }) departmentId!: string | null;
  @ApiProperty() minor!: boolean;
  @ApiProperty({ type: HoldDto, isArray: true }) holds!: HoldDto[];
  @ApiProperty() cancellationRequested!: boolean;
  @ApiProperty() unbindingRequested!: boolean;
  @ApiProperty({ nullable: true, type: String }) invitationExpiresAt!: string | null;
  @ApiProperty({ type: AgreementDto, nullable: true }) agreement!: AgreementDto | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class StatusChangeDto {
  @ApiProperty() event!: string;
  @ApiProperty() status!: string;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty() decidedBy!: string;
  @ApiProperty() at!: string;
}

export class AccountDetailDto extends AccountDto {
  @ApiProperty({ type: StatusChangeDto, isArray: true }) history!: StatusChangeDto[];
}

export class MemberDto extends AccountDto {
  @ApiProperty({ type: String, isArray: true }) delegatedPermissions!: string[];
}

export class MemberDetailDto extends MemberDto {
  @ApiProperty({ type: StatusChangeDto, isArray: true }) history!: StatusChangeDto[];
}

export class PersonalDataDto {
  @ApiProperty() accountId!: string;
  @ApiProperty({ description: 'True once the account was erased (crypto-shredded)' }) erased!: boolean;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty({ nullable: true, type: String }) email!: string | null;
  @ApiProperty({ nullable: true, type: String }) phone!: string | null;
  @ApiProperty({ nullable: true, type: String }) birthDate!: string | null;
}

export class IssuedCodeDto {
  @ApiProperty() challengeId!: string;
  @ApiProperty() expiresAt!: string;
}

export class RegisteredDto {
  @ApiProperty() accountId!: string;
  @ApiProperty() tenantId!: string;
  @ApiProperty({ enum: ['active', 'invitation-closed'], description: 'active once registered or accepted; invitation-closed once declined' }) status!: string;
  @ApiProperty({ enum: ['pending', 'verified', 'rejected'], nullable: true }) verification!: Verification | null;
}

export function toAccountDto(a: AccountView): AccountDto {
  return {
    ...a,
    holds: [...a.holds],
    invitationExpiresAt: a.invitationExpiresAt?.toISOString() ?? null,
    agreement: a.agreement ? { ...a.agreement } : null,
    licenceEvidence: a.licenceEvidence ? { ...a.licenceEvidence } : null,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export function toHistoryDto(h: StatusChangeView): StatusChangeDto {
  return { event: h.event, status: h.status, reason: h.reason, decidedBy: h.decidedBy, at: h.at.toISOString() };
}
