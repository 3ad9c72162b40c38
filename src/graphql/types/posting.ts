import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateScalar, DateTimeScalar, JSONScalar } from '../scalars.js';
import { DocumentStatus } from './enums.js';

@ObjectType('PostingError', { description: "Intacct's answer, classified, with what a person must do." })
export class PostingErrorType {
  @Field(() => String, { description: 'auth, rate-limit, transient, validation, closed-period or duplicate' })
  category!: string;
  @Field(() => String, { nullable: true })
  errorNo!: string | null;
  @Field(() => String, { nullable: true })
  description!: string | null;
  @Field(() => String, { nullable: true })
  description2!: string | null;
  @Field(() => String, { nullable: true })
  correction!: string | null;
  @Field(() => String, { description: 'What to fix, rewritten from Intacct where possible.' })
  message!: string;
  @Field(() => DateScalar, { nullable: true, description: 'For closed-period: the first date Intacct accepts (from "Date must be on or after …").' })
  firstOpenDate!: string | null;
}

@ObjectType('MappingGap', { description: 'One Concur code that could not be resolved to an Intacct value.' })
export class MappingGapType {
  @Field(() => String)
  kind!: string;
  @Field(() => String)
  code!: string;
  @Field(() => String, { description: 'The mapping section or field, e.g. accounts or dimensions[allocationCustom4Code->DEPARTMENT].' })
  field!: string;
  @Field(() => [String])
  lines!: string[];
  @Field(() => String)
  message!: string;
}

@ObjectType('DimensionValue')
export class DimensionValueType {
  @Field(() => String, { description: 'Intacct GLENTRY field: DEPARTMENT, LOCATION, PROJECTID, CUSTOMERID, CLASSID, ITEMID, VENDORID, EMPLOYEEID' })
  target!: string;
  @Field(() => String)
  value!: string;
}

@ObjectType('JournalLine')
export class JournalLineType {
  @Field(() => String)
  accountNo!: string;
  @Field(() => Int, { description: '1 = debit, -1 = credit' })
  trType!: number;
  @Field(() => String, { description: 'Positive decimal string; the side is trType.' })
  amount!: string;
  @Field(() => String)
  memo!: string;
  @Field(() => String)
  kind!: string;
  @Field(() => [DimensionValueType])
  dimensions!: DimensionValueType[];
  @Field(() => [String])
  sources!: string[];
  @Field(() => Boolean, {
    description:
      "The record's own payable (employee, vendor, card liability), booked by Intacct from the record's header: not sent for EEXPENSES, APBILL, CCTRANSACTION.",
  })
  offset!: boolean;
  @Field(() => String, { nullable: true, description: 'EEXPENSES: the Intacct expense type the line names instead of an account.' })
  expenseType!: string | null;
}

@ObjectType('JournalEntry', { description: 'The balanced entry posted (or to be posted) as one Intacct GLBATCH.' })
export class JournalEntryType {
  @Field(() => String)
  postingKey!: string;
  @Field(() => String)
  journal!: string;
  @Field(() => DateScalar)
  batchDate!: string;
  @Field(() => String)
  batchTitle!: string;
  @Field(() => String)
  currency!: string;
  @Field(() => String)
  total!: string;
  @Field(() => [JournalLineType])
  lines!: JournalLineType[];
  @Field(() => String, { nullable: true, description: 'For a reversal: the RECORDNO it reverses.' })
  reverses!: string | null;
  @Field(() => String, { description: 'The Intacct object: GLBATCH, EEXPENSES, APBILL or CCTRANSACTION.' })
  target!: string;
  @Field(() => String, { nullable: true, description: 'EEXPENSES: the Intacct EMPLOYEEID.' })
  employeeId!: string | null;
  @Field(() => String, { nullable: true, description: 'APBILL: the Intacct VENDORID.' })
  vendorId!: string | null;
  @Field(() => String, { nullable: true, description: 'CCTRANSACTION: the Intacct credit-card account.' })
  cardAccount!: string | null;
  @Field(() => String, { nullable: true, description: 'CCTRANSACTION: the payee (merchant), when there is one.' })
  payee!: string | null;
  @Field(() => String, { nullable: true, description: 'APBILL: the bill number.' })
  billNumber!: string | null;
  @Field(() => DateScalar, { nullable: true, description: 'APBILL: the due date.' })
  dueDate!: string | null;
}

@ObjectType('IntacctRecord', { description: 'One Intacct record a document becomes (or the reversal of one), posted exactly once under its own key.' })
export class IntacctRecordType {
  @Field(() => String, { description: 'GLBATCH, EEXPENSES, APBILL or CCTRANSACTION.' })
  target!: string;
  @Field(() => String, { description: 'Deterministic key: the function controlid and the reference Intacct keeps on the record.' })
  postingKey!: string;
  @Field(() => String, { description: 'READY, POSTING, FAILED, REJECTED or POSTED.' })
  state!: string;
  @Field(() => String, { nullable: true, description: 'The Intacct RECORDNO once posted.' })
  recordNo!: string | null;
  @Field(() => Int)
  attempts!: number;
  @Field(() => PostingErrorType, { nullable: true })
  lastError!: PostingErrorType | null;
  @Field(() => DateTimeScalar, { nullable: true })
  nextAttemptAt!: string | null;
  @Field(() => String, { nullable: true, description: 'For a reversal: the RECORDNO it reverses.' })
  reverses!: string | null;
  @Field(() => JournalEntryType, { nullable: true, description: 'The record as sent (or to be sent).' })
  entry!: JournalEntryType | null;
}

@ObjectType('GatewayExchange', { description: 'One round trip with Intacct for this document: its part of the request and of the answer, secrets redacted.' })
export class GatewayExchangeType {
  @Field(() => String, { description: "The request envelope with this document's <function> only." })
  requestXml!: string;
  @Field(() => String, { nullable: true, description: "The answer's status with this document's <result> only; null when no answer came." })
  responseXml!: string | null;
  @Field(() => String, { nullable: true, description: 'Why there is no answer (timeout, HTTP 524, connection dropped).' })
  noResponseReason!: string | null;
  @Field(() => DateTimeScalar)
  sentAt!: string;
  @Field(() => Int)
  durationMs!: number;
}

@ObjectType('PostingAttempt', { description: 'One request to the Intacct XML gateway and its outcome.' })
export class PostingAttemptType {
  @Field(() => Int)
  number!: number;
  @Field(() => String)
  postingKey!: string;
  @Field(() => Boolean)
  reversal!: boolean;
  @Field(() => String, { description: 'SUCCEEDED, FAILED (will retry), REJECTED or PENDING' })
  outcome!: string;
  @Field(() => DateTimeScalar, { nullable: true })
  requestedAt!: string | null;
  @Field(() => DateTimeScalar, { nullable: true })
  completedAt!: string | null;
  @Field(() => String, { nullable: true })
  recordNo!: string | null;
  @Field(() => String, { nullable: true, description: 'created, or found-existing when a read-back found the batch already there' })
  result!: string | null;
  @Field(() => PostingErrorType, { nullable: true })
  error!: PostingErrorType | null;
  @Field(() => DateTimeScalar, { nullable: true })
  nextAttemptAt!: string | null;
  @Field(() => String, { nullable: true, description: 'The request XML as sent, credentials redacted.' })
  requestXml!: string | null;
  @Field(() => String, { nullable: true, description: "Intacct's response XML, session ids redacted." })
  responseXml!: string | null;
  @Field(() => [GatewayExchangeType], {
    description:
      'The round trips of this attempt in order: the one that decided it last (requestXml/responseXml), preceded by a create left unanswered or called a duplicate before a read-back.',
  })
  exchanges!: GatewayExchangeType[];
}

@ObjectType('ConcurConfirmation', { description: 'The posting confirmation sent back to Concur.' })
export class ConcurConfirmationType {
  @Field(() => String)
  status!: string;
  @Field(() => String, { nullable: true })
  documentNumber!: string | null;
  @Field(() => Int)
  serviceCode!: number;
  @Field(() => [String])
  messages!: string[];
  @Field(() => DateTimeScalar)
  at!: string;
}

@ObjectType('TimelineEvent', { description: 'One recorded fact about a document, in order.' })
export class TimelineEventType {
  @Field(() => ID)
  id!: string;
  @Field(() => String)
  type!: string;
  @Field(() => String, { description: 'Position in the global event log (a 64-bit integer, as text).' })
  position!: string;
  @Field(() => Int, { description: '0-based position within the document stream.' })
  revision!: number;
  @Field(() => Int)
  schemaVersion!: number;
  @Field(() => DateTimeScalar)
  occurredAt!: string;
  @Field(() => DateTimeScalar)
  recordedAt!: string;
  @Field(() => String)
  actor!: string;
  @Field(() => String)
  correlationId!: string;
  @Field(() => String, { nullable: true })
  causationId!: string | null;
  @Field(() => JSONScalar, { description: 'The event payload, secrets redacted.' })
  data!: unknown;
}

/** Field resolvers (timeline, journalEntry, attemptLog, …) are in resolvers/posting-fields.ts. */
@ObjectType('Posting', { description: 'One Concur document version on its way to (or in) the Intacct GL.' })
export class Posting {
  @Field(() => ID, { description: 'The document stream id.' })
  id!: string;
  @Field(() => DocumentStatus)
  status!: DocumentStatus;
  @Field(() => String, { description: 'expense, invoice, paymentrequest or cashadvance' })
  docType!: string;
  @Field(() => String)
  concurDocumentId!: string;
  @Field(() => String, { nullable: true })
  reportId!: string | null;
  @Field(() => String, { nullable: true })
  reportName!: string | null;
  @Field(() => String, { nullable: true })
  employeeId!: string | null;
  @Field(() => String, { nullable: true, description: 'Decimal string (money is never a float).' })
  amount!: string | null;
  @Field(() => String, { nullable: true })
  currency!: string | null;
  @Field(() => String, { nullable: true })
  version!: string | null;
  @Field(() => String, { nullable: true, description: 'Deterministic key: Intacct controlid and GLBATCH REFERENCENO.' })
  postingKey!: string | null;
  @Field(() => String, { nullable: true, description: 'The Intacct GLBATCH RECORDNO once posted.' })
  intacctRecordNo!: string | null;
  @Field(() => String, { nullable: true })
  reversalRecordNo!: string | null;
  @Field(() => DateScalar, { nullable: true })
  batchDate!: string | null;
  @Field(() => Int, { description: 'Number of posting attempts so far.' })
  attempts!: number;
  @Field(() => DateTimeScalar, { nullable: true })
  nextAttemptAt!: string | null;
  @Field(() => [MappingGapType])
  gaps!: MappingGapType[];
  @Field(() => PostingErrorType, { nullable: true })
  lastError!: PostingErrorType | null;
  @Field(() => String, { nullable: true })
  rejectionReason!: string | null;
  @Field(() => String, { nullable: true, description: 'The Concur document id of the version that replaced this one.' })
  supersededBy!: string | null;
  @Field(() => Boolean)
  confirmedToConcur!: boolean;
  @Field(() => DateTimeScalar)
  createdAt!: string;
  @Field(() => DateTimeScalar)
  updatedAt!: string;
  @Field(() => DateTimeScalar, { nullable: true })
  postedAt!: string | null;
}

@ObjectType('PostingEdge')
export class PostingEdge {
  @Field(() => String)
  cursor!: string;
  @Field(() => Posting)
  node!: Posting;
}

@ObjectType('PageInfo')
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;
  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType('PostingConnection')
export class PostingConnection {
  @Field(() => [PostingEdge])
  edges!: PostingEdge[];
  @Field(() => PageInfo)
  pageInfo!: PageInfo;
  @Field(() => Int)
  totalCount!: number;
}

@InputType('PostingFilter', { description: 'All given conditions must hold.' })
export class PostingFilterInput {
  @Field(() => [DocumentStatus], { nullable: true })
  status?: DocumentStatus[] | null;
  @Field(() => [String], { nullable: true, description: 'expense, invoice, paymentrequest, cashadvance' })
  docType?: string[] | null;
  @Field(() => String, { nullable: true })
  employeeId?: string | null;
  @Field(() => String, { nullable: true })
  reportId?: string | null;
  @Field(() => DateScalar, { nullable: true, description: 'Last change on or after this day (UTC).' })
  from?: string | null;
  @Field(() => DateScalar, { nullable: true, description: 'Last change on or before this day (UTC), inclusive.' })
  to?: string | null;
  @Field(() => String, { nullable: true, description: 'Decimal string, inclusive, e.g. "100.00".' })
  minAmount?: string | null;
  @Field(() => String, { nullable: true, description: 'Decimal string, inclusive.' })
  maxAmount?: string | null;
  @Field(() => String, { nullable: true, description: 'Part of the report name, or an exact report id, document id, employee id, posting key or RECORDNO.' })
  text?: string | null;
}
